import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** What has the focus now: its tag, accessible label, and whether a focus ring is drawn around it. */
interface Focused {
  tag: string;
  label: string;
  index: string | null;
  focusVisible: boolean;
  ring: boolean;
}

// Page-side code as strings: the tests compile without the DOM library.
const focused = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const label = (el.getAttribute('aria-label') || (el.labels && el.labels[0] && el.labels[0].innerText) || el.innerText || el.value || '').trim().replace(/\\s+/g, ' ');
  // A 2 px or wider outline, or the browser's own ring (outline-style: auto); never none.
  const outline = style.outlineStyle === 'auto' || (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2);
  return { tag: el.tagName.toLowerCase(), label, index: el.getAttribute('data-keyboard'), focusVisible: el.matches(':focus-visible'), ring: outline || style.boxShadow !== 'none' };
})()`;

/** Marks every control a person can operate (visible, enabled; one per radio group) and answers how many. */
const markControls = `(() => {
  const seenRadios = new Set();
  const controls = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])')]
    .filter((el) => !el.disabled && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
    .filter((el) => el.type !== 'radio' || (!seenRadios.has(el.name) && seenRadios.add(el.name)));
  document.querySelectorAll('[data-keyboard]').forEach((el) => el.removeAttribute('data-keyboard'));
  controls.forEach((el, i) => el.setAttribute('data-keyboard', String(i)));
  return controls.map((el) => (el.getAttribute('aria-label') || el.innerText || el.value || el.name || el.tagName).trim().replace(/\\s+/g, ' '));
})()`;

async function focusNow(page: Page): Promise<Focused | null> {
  return page.evaluate<Focused | null>(focused);
}

function expectRing(now: Focused, where: string): void {
  expect({ where, element: `${now.tag} "${now.label}"`, focusVisible: now.focusVisible, ring: now.ring }).toStrictEqual({
    where, element: `${now.tag} "${now.label}"`, focusVisible: true, ring: true,
  });
}

/** Presses Tab until the focused control's label matches (at most `max` presses); each stop must show a focus ring. */
export async function tabTo(page: Page, label: string | RegExp, max = 80): Promise<void> {
  for (let press = 0; press < max; press += 1) {
    await page.keyboard.press('Tab');
    const now = await focusNow(page);
    if (!now) continue;
    expectRing(now, page.url());
    if (typeof label === 'string' ? now.label === label : label.test(now.label)) return;
  }
  throw new Error(`${max} presses of Tab never reached "${label}" on ${page.url()}`);
}

/**
 * Tabs through the whole page (wrapping around) and expects every control on it to take the focus,
 * each with a visible focus ring: nothing on the page needs a mouse.
 */
export async function expectEveryControlReachable(page: Page): Promise<void> {
  const labels = await page.evaluate<string[]>(markControls);
  const reached = new Set<string>();
  for (let press = 0; press < labels.length * 2 + 10 && reached.size < labels.length; press += 1) {
    await page.keyboard.press('Tab');
    const now = await focusNow(page);
    if (!now) continue;
    expectRing(now, page.url());
    if (now.index !== null) reached.add(now.index);
  }
  const missed = labels.filter((_, i) => !reached.has(String(i)));
  expect({ page: page.url(), missed }).toStrictEqual({ page: page.url(), missed: [] });
}
