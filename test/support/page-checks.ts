import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Where browser tests leave screenshots for review (ignored by git). */
export const screenshotDirectory = new URL('../browser/__screenshots__/', import.meta.url);
export const widths = [375, 1280] as const;

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2.0, 2.1 and 2.2 A and AA rules, and axe's best practices (landmarks, one h1, …). */
const axeTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * Checks the page as it is now at 375 and 1280 px: no horizontal page scroll, and axe-core reports
 * no WCAG 2.2 A/AA violation. Saves a full-page screenshot of each width as `<name>-<width>.png`.
 * The page's context must allow scripts and bypass CSP (axe is injected).
 */
export async function expectAccessibleAtBothWidths(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDirectory, { recursive: true });
  for (const width of widths) {
    await page.setViewportSize({ width, height: 900 });
    // Page-side code as strings: the tests compile without the DOM library.
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow, `${name} at ${width} px scrolls sideways by ${overflow} px`).toBe(0);
    if ((await page.evaluate<string>('typeof window.axe')) === 'undefined') await page.evaluate(axeSource);
    const violations = await page.evaluate<AxeViolation[]>(`(async () => {
      const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(axeTags)} } });
      return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
    })()`);
    expect(violations, `${name} at ${width} px`).toStrictEqual([]);
    await page.screenshot({ path: new URL(`${name}-${width}.png`, screenshotDirectory).pathname, fullPage: true });
  }
}
