import { html, SafeHtml } from './html.js';

/**
 * Colours meet WCAG 2.2 AA: the primary button is white on #d1003c (5.6:1; TikTok's #fe2c55 gives
 * only 3.7:1), muted text #606770 on white 5.7:1, and every control shows a 3 px focus ring.
 * Tables scroll inside their own box, so no page scrolls sideways at 375 px.
 */
const styles = `
  :root { color-scheme: light; font-family: system-ui, -apple-system, Segoe UI, Roboto, sans-serif; }
  *, *::before, *::after { box-sizing: border-box; }
  body { margin: 0; background: #f6f7f9; color: #1c1e21; line-height: 1.5; overflow-wrap: anywhere; }
  header.site { background: #111; color: #fff; padding: .75rem 1.5rem; }
  header.site a { color: #fff; text-decoration: none; font-weight: 600; }
  .skip { position: absolute; left: -999px; top: .5rem; background: #fff; color: #1c1e21; padding: .5rem 1rem; z-index: 10; }
  .skip:focus { left: .5rem; }
  main { max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
  h1 { font-size: 1.6rem; line-height: 1.25; margin-top: 0; }
  a { color: #1d4ed8; }
  .card { background: #fff; border: 1px solid #dfe1e5; border-radius: 8px; padding: 1.25rem 1.5rem; margin-bottom: 1rem; }
  .lead { font-size: 1.1rem; }
  .status { display: inline-block; padding: .1rem .6rem; border-radius: 999px; font-size: .9rem; font-weight: 600; }
  .status-ok { background: #e3f6e8; color: #14532d; } .status-warn { background: #fff4d6; color: #713f12; }
  .status-bad { background: #fde2e1; color: #7f1d1d; }
  .problem { border-left: 4px solid #b45309; padding-left: .75rem; margin: .75rem 0; }
  .error { border-left: 4px solid #b91c1c; padding-left: .75rem; }
  .button, button { display: inline-block; background: #d1003c; color: #fff; border: 0; border-radius: 6px;
    padding: .6rem 1.1rem; font-size: 1rem; font-family: inherit; line-height: 1.3; text-decoration: none; cursor: pointer; }
  .button:hover, button:hover { background: #a8002f; }
  .button.secondary, button.secondary { background: #e4e6eb; color: #1c1e21; }
  .button.secondary:hover, button.secondary:hover { background: #d0d3d9; }
  .table-scroll { overflow-x: auto; max-width: 100%; }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #eee; }
  caption { text-align: left; }
  small, .muted { color: #606770; }
  details.support { margin-top: 1rem; color: #606770; font-size: .9rem; }
  details.support summary { cursor: pointer; }
  details.support ul { margin: .5rem 0 0; padding-left: 1.25rem; }
  ul.permissions { padding-left: 1.25rem; }
  :focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
  @media (max-width: 40rem) { main { margin: 1rem auto; } .card { padding: 1rem; } header.site { padding: .75rem 1rem; } }
`;

const favicon =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#111"/>' +
  '<path d="M19 6h4a6 6 0 0 0 4 4v4a10 10 0 0 1-4-1.2V20a7 7 0 1 1-7-7h1v4.2a3 3 0 1 0 2 2.8Z" fill="#fff"/></svg>';

/** The site icon, served at `/favicon.svg` (and `/favicon.ico`). */
export const faviconSvg = favicon;

export interface LayoutOptions {
  /** Markup placed before `<main>` (admin styles). */
  banner?: SafeHtml;
  /** The page's language (`<html lang>`); English by default. */
  lang?: string;
  /** The name in the header: the company's app on merchant pages. */
  brand?: string;
  /** The text of the skip link, in the page's language. */
  skipText?: string;
}

/** The page frame shared by merchant, admin and error pages. Works without JavaScript. */
export function layout(title: string, body: SafeHtml, options: LayoutOptions = {}): string {
  const brand = options.brand ?? 'TikTok Shop Connect';
  return html`<!doctype html>
<html lang="${options.lang ?? 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${brand}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>${new SafeHtml(styles)}</style>
</head>
<body>
<a class="skip" href="#main">${options.skipText ?? 'Skip to the content'}</a>
<header class="site"><a href="/">${brand}</a></header>
${options.banner ?? ''}
<main id="main">
${body}
</main>
</body>
</html>`.value;
}
