import { html, SafeHtml } from './html.js';

const styles = `
  :root { color-scheme: light; font-family: system-ui, -apple-system, Segoe UI, Roboto, sans-serif; }
  body { margin: 0; background: #f6f7f9; color: #1c1e21; line-height: 1.5; }
  header { background: #111; color: #fff; padding: .75rem 1.5rem; }
  header a { color: #fff; text-decoration: none; font-weight: 600; }
  main { max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
  .card { background: #fff; border: 1px solid #dfe1e5; border-radius: 8px; padding: 1.25rem 1.5rem; margin-bottom: 1rem; }
  .status { display: inline-block; padding: .1rem .6rem; border-radius: 999px; font-size: .9rem; font-weight: 600; }
  .status-ok { background: #e3f6e8; color: #14532d; } .status-warn { background: #fff4d6; color: #713f12; }
  .status-bad { background: #fde2e1; color: #7f1d1d; }
  .problem { border-left: 4px solid #b45309; padding-left: .75rem; margin: .75rem 0; }
  .error { border-left: 4px solid #b91c1c; padding-left: .75rem; }
  .button, button { display: inline-block; background: #fe2c55; color: #fff; border: 0; border-radius: 6px;
    padding: .6rem 1.1rem; font-size: 1rem; text-decoration: none; cursor: pointer; }
  .button.secondary, button.secondary { background: #e4e6eb; color: #1c1e21; }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #eee; }
  small, .muted { color: #606770; }
  :focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
`;

/** The page frame shared by merchant, admin and error pages. Works without JavaScript. */
export function layout(title: string, body: SafeHtml, options: { banner?: SafeHtml } = {}): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · TikTok Shop Connect</title>
<style>${new SafeHtml(styles)}</style>
</head>
<body>
<header><a href="/">TikTok Shop Connect</a></header>
${options.banner ?? ''}
<main id="main">
${body}
</main>
</body>
</html>`.value;
}
