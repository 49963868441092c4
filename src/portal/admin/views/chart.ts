/**
 * Activity over time as a server-rendered SVG bar chart (no script, no library, nothing from
 * outside): successes and failures stacked per time bucket. The same numbers follow as a table
 * that screen readers use (the SVG itself is one labelled image).
 */
import { html, type SafeHtml } from "../../lib/html.ts";

export interface TimedEvent {
  /** ISO 8601. */
  readonly time: string;
  readonly result: string;
}

export interface Bucket {
  readonly start: number;
  readonly success: number;
  readonly failure: number;
}

/** Counts events into `count` equal buckets from `from` to `to` (epoch ms); outside ones are ignored. */
export function bucketize(events: readonly TimedEvent[], from: number, to: number, count: number): Bucket[] {
  const width = (to - from) / count;
  const buckets = Array.from({ length: count }, (_, i) => ({
    start: from + i * width,
    success: 0,
    failure: 0,
  }));
  for (const event of events) {
    const at = Date.parse(event.time);
    if (!(at >= from && at < to)) continue;
    const bucket = buckets[Math.min(count - 1, Math.floor((at - from) / width))];
    if (bucket === undefined) continue;
    if (event.result === "success") bucket.success++;
    else bucket.failure++;
  }
  return buckets;
}

const W = 800;
const H = 220;
const PAD = { left: 40, right: 10, top: 10, bottom: 30 };

function label(ms: number, spanMs: number): string {
  const iso = new Date(ms).toISOString();
  return spanMs > 2 * 86_400_000 ? iso.slice(5, 10) : iso.slice(11, 16);
}

/** The chart and its table. `title` names what is counted (e.g. "Logins to myVM, last 7 days"). */
export function activityChart(title: string, buckets: readonly Bucket[], from: number, to: number): SafeHtml {
  const max = Math.max(1, ...buckets.map((b) => b.success + b.failure));
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const barW = innerW / Math.max(1, buckets.length);
  const y = (n: number) => PAD.top + innerH - (n / max) * innerH;
  const bars = buckets.map((b, i) => {
    const x = PAD.left + i * barW + 1;
    const w = Math.max(1, barW - 2);
    const ok = html`<rect class="ok" x="${x.toFixed(1)}" y="${y(b.success).toFixed(1)}" width="${w.toFixed(1)}" height="${(PAD.top + innerH - y(b.success)).toFixed(1)}" fill="#2e7d4f"></rect>`;
    const top = y(b.success + b.failure);
    const bad = html`<rect class="bad" x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${w.toFixed(1)}" height="${(y(b.success) - top).toFixed(1)}" fill="#b3261e"></rect>`;
    return html`${b.success > 0 ? ok : ""}${b.failure > 0 ? bad : ""}`;
  });
  const every = Math.max(1, Math.ceil(buckets.length / 8));
  const ticks = buckets.map((b, i) =>
    i % every === 0
      ? html`<text x="${(PAD.left + i * barW).toFixed(1)}" y="${H - 10}" font-size="11" fill="#5b6470">${label(b.start, to - from)}</text>`
      : "",
  );
  const total = buckets.reduce((n, b) => n + b.success + b.failure, 0);
  const failures = buckets.reduce((n, b) => n + b.failure, 0);
  const summary = `${title}: ${total} in all, ${failures} failed; at most ${max} in one interval.`;
  return html`<figure class="chart" data-chart><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${summary}" xmlns="http://www.w3.org/2000/svg">
<title>${summary}</title>
<line x1="${PAD.left}" y1="${PAD.top + innerH}" x2="${W - PAD.right}" y2="${PAD.top + innerH}" stroke="#d6dbe1"></line>
<text x="4" y="${PAD.top + 10}" font-size="11" fill="#5b6470">${String(max)}</text>
<text x="4" y="${PAD.top + innerH}" font-size="11" fill="#5b6470">0</text>
${bars}${ticks}
</svg>
<figcaption>${title} <ul class="legend"><li><span class="swatch success" aria-hidden="true"></span>Succeeded</li><li><span class="swatch failure" aria-hidden="true"></span>Failed</li></ul></figcaption>
<details><summary>Numbers</summary><table><caption class="visually-hidden">${title}</caption><thead><tr><th scope="col">From</th><th scope="col">Succeeded</th><th scope="col">Failed</th></tr></thead><tbody>${buckets.map(
    (b) =>
      html`<tr><td>${new Date(b.start).toISOString().replace("T", " ").slice(0, 16)} UTC</td><td>${String(b.success)}</td><td>${String(b.failure)}</td></tr>`,
  )}</tbody></table></details></figure>`;
}
