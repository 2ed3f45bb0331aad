/**
 * Reading the service's pages the way a browser would, without a browser: forms with their
 * controls, the fields a click on one of their buttons submits, and text in plain words. Enough for
 * the server-rendered pages of this service and of the TikTok Shop simulator (well-formed HTML, no
 * script), not a general HTML parser.
 */

export interface FormControl {
  tag: 'input' | 'button';
  type: string;
  name: string | undefined;
  value: string;
  checked: boolean;
  disabled: boolean;
  /** Buttons: their text. */
  text: string;
}

export interface HtmlForm {
  method: 'get' | 'post';
  /** As written in the page (not resolved against the page's URL). */
  action: string;
  controls: FormControl[];
  /** The text of the whole form, in plain words. */
  text: string;
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

export function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return entities[name.toLowerCase()] ?? all;
  });
}

function attributesOf(tag: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const inner = tag.replace(/^<\w+/, '').replace(/\/?>$/, '');
  for (const match of inner.matchAll(/([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
    attributes.set(match[1]!.toLowerCase(), decodeEntities(match[2] ?? match[3] ?? match[4] ?? ''));
  }
  return attributes;
}

const blocks = /^(address|article|aside|blockquote|br|button|caption|dd|div|dl|dt|fieldset|footer|form|h[1-6]|header|hr|input|legend|li|main|nav|ol|p|section|table|tbody|td|tfoot|th|thead|title|tr|ul)$/i;

/** The text a person reads: tags dropped (block ones as a space), entities decoded, whitespace collapsed. */
export function textOf(html: string): string {
  const text = html
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<\/?([a-z][a-z0-9]*)\b[^>]*>/gi, (_tag, name: string) => (blocks.test(name) ? ' ' : ''));
  return decodeEntities(text).replace(/\s+/g, ' ').trim();
}

/** Every form of the page, in order. */
export function formsOf(html: string): HtmlForm[] {
  return [...html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)].map(([source]) => {
    const open = attributesOf(/^<form\b[^>]*>/i.exec(source)![0]);
    const controls: FormControl[] = [];
    for (const [tag, inner] of source.matchAll(/<input\b[^>]*>|<button\b[^>]*>([\s\S]*?)<\/button>/gi)) {
      const attributes = attributesOf(/^<\w+\b[^>]*>/.exec(tag)![0]);
      const isButton = /^<button/i.test(tag);
      controls.push({
        tag: isButton ? 'button' : 'input',
        type: (attributes.get('type') ?? (isButton ? 'submit' : 'text')).toLowerCase(),
        name: attributes.get('name'),
        value: attributes.get('value') ?? (isButton ? '' : attributes.get('type') === 'checkbox' || attributes.get('type') === 'radio' ? 'on' : ''),
        checked: attributes.has('checked'),
        disabled: attributes.has('disabled'),
        text: isButton ? textOf(inner ?? '') : '',
      });
    }
    return { method: (open.get('method') ?? 'get').toLowerCase() === 'post' ? 'post' : 'get', action: open.get('action') ?? '', controls, text: textOf(source) };
  });
}

/** The one form with a submit button reading `buttonText`; fails when there is none or more than one. */
export function formWithButton(html: string, buttonText: string): HtmlForm {
  const found = formsOf(html).filter((form) => form.controls.some((c) => c.tag === 'button' && c.type === 'submit' && c.text === buttonText));
  if (found.length !== 1) throw new Error(`expected one form with a "${buttonText}" button, found ${found.length}`);
  return found[0]!;
}

/**
 * What the browser submits when `buttonText` is clicked: named, enabled controls, checkboxes and
 * radios only when checked, and only the clicked button. `choose` picks a radio value by name;
 * `untick` clears checkboxes by value.
 */
export function submission(form: HtmlForm, buttonText: string, options: { choose?: Record<string, string>; untick?: string[] } = {}): [string, string][] {
  const fields: [string, string][] = [];
  const button = form.controls.find((c) => c.tag === 'button' && c.type === 'submit' && c.text === buttonText);
  if (!button) throw new Error(`the form has no "${buttonText}" button`);
  for (const control of form.controls) {
    if (!control.name || control.disabled) continue;
    if (control.tag === 'button') {
      if (control === button) fields.push([control.name, control.value]);
      continue;
    }
    if (control.type === 'radio') {
      const chosen = options.choose?.[control.name];
      if (chosen === undefined ? control.checked : chosen === control.value) fields.push([control.name, control.value]);
      continue;
    }
    if (control.type === 'checkbox') {
      if (control.checked && !options.untick?.includes(control.value)) fields.push([control.name, control.value]);
      continue;
    }
    if (['submit', 'reset', 'image', 'file'].includes(control.type)) continue;
    fields.push([control.name, control.value]);
  }
  for (const [name, value] of Object.entries(options.choose ?? {})) {
    if (!form.controls.some((c) => c.type === 'radio' && c.name === name && c.value === value)) throw new Error(`no radio ${name}=${value} in the form`);
  }
  return fields;
}

/** The inner HTML of the `<section>` labelled by the heading with id `headingId`. */
export function sectionOf(html: string, headingId: string): string {
  const match = new RegExp(`<section\\b[^>]*aria-labelledby="${headingId}"[^>]*>([\\s\\S]*?)</section>`).exec(html);
  if (!match) throw new Error(`no section labelled by #${headingId}`);
  return match[1]!;
}
