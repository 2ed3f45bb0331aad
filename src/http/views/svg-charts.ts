import { html, type SafeHtml } from './html.js';

/** One bar: its label under the axis and its values, one per series (stacked bottom up). */
export interface Bar {
  label: string;
  values: number[];
}

export interface Series {
  name: string;
  /** Fill colour; every one at least 3:1 against white (WCAG 1.4.11). */
  color: string;
}

const width = 400;
const height = 210;
const margin = { top: 12, right: 8, bottom: 34, left: 40 };

/**
 * A stacked bar chart as server-rendered SVG (no script): an accessible image with a title and a
 * description, scaled to its box. Every other label is shown when bars are narrow.
 */
export function barChart(input: { id: string; title: string; description: string; bars: Bar[]; series: Series[] }): SafeHtml {
  const { bars, series } = input;
  const max = Math.max(1, ...bars.map((bar) => bar.values.reduce((sum, value) => sum + value, 0)));
  const top = Math.max(2, niceCeiling(max));
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const slot = plotWidth / Math.max(1, bars.length);
  const barWidth = Math.max(2, slot * 0.7);
  const y = (value: number) => margin.top + plotHeight - (value / top) * plotHeight;
  const everyOther = slot < 30;
  const ticks = Number.isInteger(top / 2) ? [0, top / 2, top] : [0, top];
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${input.id}-chart-title ${input.id}-chart-desc" preserveAspectRatio="xMidYMid meet">
  <title id="${input.id}-chart-title">${input.title}</title>
  <desc id="${input.id}-chart-desc">${input.description}</desc>
  ${ticks.map(
    (tick) => html`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(tick)}" y2="${y(tick)}" stroke="#dfe1e5" />
  <text x="${margin.left - 6}" y="${y(tick) + 4}" text-anchor="end" font-size="11" fill="#4b5058">${formatCount(tick)}</text>`,
  )}
  ${bars.map((bar, i) => {
    const x = margin.left + i * slot + (slot - barWidth) / 2;
    let base = 0;
    const segments = bar.values.map((value, s) => {
      const from = base;
      base += value;
      return value === 0
        ? html``
        : html`<rect x="${round(x)}" y="${round(y(base))}" width="${round(barWidth)}" height="${round(y(from) - y(base))}" fill="${series[s]!.color}"><title>${bar.label}: ${value} ${series[s]!.name}</title></rect>`;
    });
    const label = !everyOther || i % 2 === 0
      ? html`<text x="${round(x + barWidth / 2)}" y="${height - margin.bottom + 14}" text-anchor="middle" font-size="11" fill="#4b5058">${bar.label}</text>`
      : html``;
    return html`${segments}${label}`;
  })}
</svg>
${series.length > 1
    ? html`<ul class="legend">${series.map((s) => html`<li><span class="swatch" style="background:${s.color}"></span>${s.name}</li>`)}</ul>`
    : ''}`;
}

/** 1, 2, 5 × 10^n at or above `value`: round numbers on the axis. */
function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function formatCount(value: number): string {
  if (value >= 10_000) return `${Math.round(value / 1000)}k`;
  if (value >= 1000) return `${(value / 1000).toFixed(1)}k`;
  return String(Math.round(value));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
