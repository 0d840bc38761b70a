/** A tiny SVG chart generator (no dependency): grouped bars and a histogram with its CDF. */

const W = 760;
const H = 380;
const M = { top: 44, right: 60, bottom: 90, left: 64 };
const COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (n: number) => (n >= 1000 ? `${Math.round(n / 100) / 10}k` : n >= 10 ? String(Math.round(n)) : String(Math.round(n * 10) / 10));

function frame(title: string, body: string[], subtitle?: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
    subtitle ? `<text x="${W / 2}" y="36" text-anchor="middle" fill="#555">${esc(subtitle)}</text>` : '',
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** "Nice" ticks for a linear axis from 0 to max. */
function linearTicks(max: number, n = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 0.999; v += step) out.push(v);
  return out;
}

export interface BarSeries {
  name: string;
  values: number[];
}

/** Bars grouped by category (e.g. routes), one colour per series (e.g. percentiles); optional log y. */
export function groupedBars(o: {
  title: string;
  subtitle?: string;
  categories: string[];
  series: BarSeries[];
  yLabel: string;
  log?: boolean;
}): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const all = o.series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && v > 0);
  const max = all.length ? Math.max(...all) : 1;
  const useLog = !!o.log && all.length > 0;
  const lo = useLog ? 10 ** Math.floor(Math.log10(Math.min(...all))) : 0;
  const hi = useLog ? 10 ** Math.ceil(Math.log10(max)) : (linearTicks(max).at(-1) ?? max);
  const y = (v: number) => {
    if (useLog) return M.top + ph - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo) || 1)) * ph;
    return M.top + ph - (v / (hi || 1)) * ph;
  };
  const ticks = useLog ? Array.from({ length: Math.round(Math.log10(hi / lo)) + 1 }, (_, i) => lo * 10 ** i) : linearTicks(max);
  const body: string[] = [];
  for (const t of ticks) {
    body.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#ddd"/>`);
    body.push(`<text x="${M.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`);
  }
  body.push(
    `<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}${useLog ? ' (log scale)' : ''}</text>`,
  );
  const gw = pw / Math.max(1, o.categories.length);
  const bw = (gw * 0.8) / Math.max(1, o.series.length);
  o.categories.forEach((c, ci) => {
    const gx = M.left + ci * gw + gw * 0.1;
    o.series.forEach((s, si) => {
      const v = s.values[ci];
      if (v === undefined || !Number.isFinite(v)) return;
      const top = y(useLog ? Math.max(v, lo) : v);
      body.push(
        `<rect x="${(gx + si * bw).toFixed(1)}" y="${top.toFixed(1)}" width="${(bw * 0.92).toFixed(1)}" height="${(M.top + ph - top).toFixed(1)}" fill="${COLOURS[si % COLOURS.length]}"><title>${esc(`${c} ${s.name}: ${v}`)}</title></rect>`,
      );
    });
    body.push(
      `<text transform="translate(${(gx + gw * 0.4).toFixed(1)} ${M.top + ph + 12}) rotate(20)" text-anchor="start">${esc(c)}</text>`,
    );
  });
  body.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${M.top + ph}" y2="${M.top + ph}" stroke="#333"/>`);
  o.series.forEach((s, si) => {
    const lx = M.left + si * 90;
    body.push(
      `<rect x="${lx}" y="${H - 18}" width="10" height="10" fill="${COLOURS[si % COLOURS.length]}"/><text x="${lx + 14}" y="${H - 9}">${esc(s.name)}</text>`,
    );
  });
  return frame(o.title, body, o.subtitle);
}

/** A histogram of values (bars, left axis: count) with the empirical CDF (line, right axis: %). */
export function histogramWithCdf(o: { title: string; subtitle?: string; values: number[]; xLabel: string; bins?: number }): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const vs = o.values.filter(Number.isFinite).sort((a, b) => a - b);
  const body: string[] = [];
  if (!vs.length) {
    body.push(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no data</text>`);
    return frame(o.title, body, o.subtitle);
  }
  const lo = Math.min(0, vs[0]!);
  const hiRaw = vs.at(-1)!;
  const xt = linearTicks(hiRaw - lo || 1, 8).map((t) => t + lo);
  const hi = xt.at(-1)!;
  const nb = o.bins ?? 40;
  const counts = new Array<number>(nb).fill(0);
  for (const v of vs) counts[Math.min(nb - 1, Math.floor(((v - lo) / (hi - lo || 1)) * nb))]!++;
  const cmax = Math.max(...counts);
  const yt = linearTicks(cmax);
  const ctop = yt.at(-1)!;
  const x = (v: number) => M.left + ((v - lo) / (hi - lo || 1)) * pw;
  const y = (c: number) => M.top + ph - (c / (ctop || 1)) * ph;
  const yp = (p: number) => M.top + ph - p * ph;
  for (const t of yt) {
    body.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#eee"/>`);
    body.push(`<text x="${M.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`);
  }
  for (const p of [0, 0.25, 0.5, 0.75, 1])
    body.push(`<text x="${W - M.right + 6}" y="${(yp(p) + 4).toFixed(1)}" fill="${COLOURS[1]}">${p * 100}%</text>`);
  for (const t of xt) body.push(`<text x="${x(t).toFixed(1)}" y="${M.top + ph + 16}" text-anchor="middle">${fmt(t)}</text>`);
  const bw = pw / nb;
  counts.forEach((c, i) => {
    if (!c) return;
    body.push(
      `<rect x="${(M.left + i * bw).toFixed(1)}" y="${y(c).toFixed(1)}" width="${(bw * 0.95).toFixed(1)}" height="${(M.top + ph - y(c)).toFixed(1)}" fill="${COLOURS[0]}"><title>${fmt(lo + (i * (hi - lo)) / nb)}–${fmt(lo + ((i + 1) * (hi - lo)) / nb)}: ${c}</title></rect>`,
    );
  });
  const pts = vs.map((v, i) => `${x(v).toFixed(1)},${yp((i + 1) / vs.length).toFixed(1)}`);
  body.push(
    `<polyline points="${x(vs[0]!).toFixed(1)},${yp(0).toFixed(1)} ${pts.join(' ')}" fill="none" stroke="${COLOURS[1]}" stroke-width="2"/>`,
  );
  body.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${M.top + ph}" y2="${M.top + ph}" stroke="#333"/>`);
  body.push(`<text x="${M.left + pw / 2}" y="${M.top + ph + 36}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  body.push(`<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">orders per bin</text>`);
  body.push(
    `<rect x="${M.left}" y="${H - 18}" width="10" height="10" fill="${COLOURS[0]}"/><text x="${M.left + 14}" y="${H - 9}">histogram (${vs.length} values, ${nb} bins)</text>`,
  );
  body.push(
    `<rect x="${M.left + 230}" y="${H - 18}" width="10" height="10" fill="${COLOURS[1]}"/><text x="${M.left + 244}" y="${H - 9}">cumulative share (right axis)</text>`,
  );
  return frame(o.title, body, o.subtitle);
}
