/**
 * Server-rendered SVG charts for the console: horizontal bars (one to three series per category)
 * and lines over time. They work without JavaScript and are accessible: role="img" named by the
 * chart's <title> and described by its <desc>; every bar and line end carries its number as text;
 * series differ by pattern, dash and marker shape as well as colour, and the legend shows them.
 * The page puts the same numbers in a table beside each chart. Every text is escaped here.
 */

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
const n1 = (v: number): string => String(Math.round(v * 10) / 10);

/** Fill (bars) and stroke (lines) of each series: colour, and a second signal that is not colour. */
const SERIES = [
  { color: '#00497a', fill: '#00497a', dash: '', marker: 'circle' },
  { color: '#8a4500', fill: 'url(#__id__-p1)', dash: '8 4', marker: 'square' },
  { color: '#1e6b34', fill: 'url(#__id__-p2)', dash: '2 3', marker: 'triangle' },
] as const;

function patterns(id: string): string {
  return (
    `<defs><pattern id="${id}-p1" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
    `<rect width="6" height="6" fill="#fff"/><rect width="3" height="6" fill="${SERIES[1].color}"/></pattern>` +
    `<pattern id="${id}-p2" width="6" height="6" patternUnits="userSpaceOnUse">` +
    `<rect width="6" height="6" fill="#fff"/><circle cx="3" cy="3" r="2" fill="${SERIES[2].color}"/></pattern></defs>`
  );
}

const fillOf = (id: string, i: number): string => SERIES[i % SERIES.length]?.fill.replace('__id__', id) ?? '#00497a';

function legend(id: string, labels: readonly string[], y: number, kind: 'bar' | 'line'): string {
  let x = 0;
  return labels
    .map((label, i) => {
      const s = SERIES[i % SERIES.length] ?? SERIES[0];
      const swatch =
        kind === 'bar'
          ? `<rect x="${x}" y="${y - 11}" width="18" height="12" fill="${fillOf(id, i)}" stroke="${s.color}"/>`
          : `<line x1="${x}" y1="${y - 5}" x2="${x + 18}" y2="${y - 5}" stroke="${s.color}" stroke-width="3" stroke-dasharray="${s.dash}"/>${marker(s.marker, x + 9, y - 5, s.color)}`;
      const text = `<text x="${x + 24}" y="${y}">${esc(label)}</text>`;
      x += 34 + label.length * 7;
      return swatch + text;
    })
    .join('');
}

function marker(shape: string, x: number, y: number, color: string): string {
  if (shape === 'square') return `<rect x="${n1(x - 4)}" y="${n1(y - 4)}" width="8" height="8" fill="${color}"/>`;
  if (shape === 'triangle')
    return `<path d="M${n1(x)} ${n1(y - 5)}L${n1(x + 5)} ${n1(y + 4)}L${n1(x - 5)} ${n1(y + 4)}Z" fill="${color}"/>`;
  return `<circle cx="${n1(x)}" cy="${n1(y)}" r="4" fill="${color}"/>`;
}

function frame(id: string, title: string, description: string, width: number, height: number, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="${id}-title" aria-describedby="${id}-desc" ` +
    `viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px" font-family="Arial, Helvetica, sans-serif" font-size="13" fill="#1a1a1a">` +
    `<title id="${id}-title">${esc(title)}</title><desc id="${id}-desc">${esc(description)}</desc>${body}</svg>`
  );
}

export interface BarChart {
  /** A prefix for the chart's element ids, unique on the page. */
  id: string;
  title: string;
  /** One or two sentences saying what the chart shows (read by screen readers with the title). */
  description: string;
  categories: readonly string[];
  series: readonly { label: string; values: readonly (number | undefined)[] }[];
  /** The number as the label shows it, e.g. "62 %". */
  format: (v: number) => string;
  /** The scale's end (100 for percentages); the largest value otherwise. */
  max?: number;
}

/** Horizontal bars, one group per category; a missing value reads "–". */
export function barChart(c: BarChart): string {
  const width = 700;
  const labelW = 240;
  const valueW = 70;
  const barH = 16;
  const gap = 12;
  const top = c.series.length > 1 ? 30 : 8;
  const groupH = c.series.length * barH + gap;
  const height = top + c.categories.length * groupH + 4;
  const max = c.max ?? Math.max(1, ...c.series.flatMap((s) => s.values.filter((v): v is number => v !== undefined)));
  const scale = (v: number) => (Math.max(0, v) / max) * (width - labelW - valueW);
  let body = patterns(c.id);
  if (c.series.length > 1)
    body += legend(
      c.id,
      c.series.map((s) => s.label),
      16,
      'bar',
    );
  c.categories.forEach((category, i) => {
    const y0 = top + i * groupH;
    body += `<text x="${labelW - 8}" y="${y0 + (c.series.length * barH) / 2 + 4}" text-anchor="end">${esc(category)}</text>`;
    c.series.forEach((s, j) => {
      const v = s.values[i];
      const y = y0 + j * barH;
      const w = v === undefined ? 0 : scale(v);
      body += `<rect x="${labelW}" y="${y + 1}" width="${n1(w)}" height="${barH - 2}" fill="${fillOf(c.id, j)}" stroke="${SERIES[j % SERIES.length]?.color}"/>`;
      body += `<text x="${n1(labelW + w + 6)}" y="${y + barH - 4}">${v === undefined ? '–' : esc(c.format(v))}</text>`;
    });
  });
  body += `<line x1="${labelW}" y1="${top - 4}" x2="${labelW}" y2="${height - 4}" stroke="#6b6b6b"/>`;
  return frame(c.id, c.title, c.description, width, height, body);
}

export interface LineChart {
  id: string;
  title: string;
  description: string;
  /** The x axis, one label per point (e.g. dates), in order. */
  xLabels: readonly string[];
  series: readonly { label: string; values: readonly number[] }[];
  format: (v: number) => string;
}

/** Lines over the x axis with a marker on every point and the last value written at each line's end. */
export function lineChart(c: LineChart): string {
  const width = 680;
  const left = 48;
  const right = 150;
  const top = 34;
  const plotH = 220;
  const height = top + plotH + 34;
  const max = Math.max(1, ...c.series.flatMap((s) => s.values));
  const count = Math.max(1, c.xLabels.length - 1);
  const x = (i: number) => left + (i / count) * (width - left - right);
  const y = (v: number) => top + plotH - (v / max) * plotH;
  let body = legend(
    c.id,
    c.series.map((s) => s.label),
    16,
    'line',
  );
  for (const t of [0, 0.5, 1]) {
    const v = Math.round(max * t);
    body += `<line x1="${left}" y1="${n1(y(v))}" x2="${width - right}" y2="${n1(y(v))}" stroke="#c8c8c8"/>`;
    body += `<text x="${left - 6}" y="${n1(y(v) + 4)}" text-anchor="end">${esc(c.format(v))}</text>`;
  }
  const ticks = [...new Set([0, Math.floor((c.xLabels.length - 1) / 2), c.xLabels.length - 1])].filter((i) => i >= 0);
  for (const i of ticks) {
    body += `<text x="${n1(x(i))}" y="${top + plotH + 20}" text-anchor="${i === 0 ? 'start' : i === c.xLabels.length - 1 ? 'end' : 'middle'}">${esc(c.xLabels[i] ?? '')}</text>`;
  }
  c.series.forEach((s, j) => {
    const style = SERIES[j % SERIES.length] ?? SERIES[0];
    const points = s.values.map((v, i) => `${n1(x(i))},${n1(y(v))}`).join(' ');
    body += `<polyline points="${points}" fill="none" stroke="${style.color}" stroke-width="2.5" stroke-dasharray="${style.dash}"/>`;
    s.values.forEach((v, i) => {
      body += marker(style.marker, x(i), y(v), style.color);
    });
  });
  // The last value at each line's end, moved apart where lines end close together.
  const ends = c.series
    .map((s, j) => ({ j, s, last: s.values.at(-1) }))
    .filter((e): e is { j: number; s: (typeof c.series)[number]; last: number } => e.last !== undefined)
    .map((e) => ({ ...e, at: y(e.last) + 4 }))
    .sort((a, b) => a.at - b.at);
  for (let i = 1; i < ends.length; i++) {
    const prev = ends[i - 1] as (typeof ends)[number];
    const cur = ends[i] as (typeof ends)[number];
    if (cur.at - prev.at < 15) cur.at = prev.at + 15;
  }
  for (const e of ends) {
    body += `<text x="${n1(x(e.s.values.length - 1) + 10)}" y="${n1(e.at)}">${esc(`${c.format(e.last)} ${e.s.label.toLowerCase()}`)}</text>`;
  }
  body += `<line x1="${left}" y1="${top + plotH}" x2="${width - right}" y2="${top + plotH}" stroke="#6b6b6b"/>`;
  return frame(c.id, c.title, c.description, width, height, body);
}

/** Swedish number formats for chart labels: "62 %", "12,5 dagar", "1 204". */
export const percentLabel = (v: number): string => `${Math.round(v)} %`;
export const daysLabel = (v: number): string => `${v.toLocaleString('sv-SE', { maximumFractionDigits: 1 })} dagar`;
export const countLabel = (v: number): string => v.toLocaleString('sv-SE');
