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

const DAY = 86_400_000;
/** About how many labels fit under the chart (11px text, a date and time is ~65px wide). */
const MAX_TICKS = 8;

/**
 * The time axis's labels (UTC), each shown once: over more than two days, each day (MM-DD) at its
 * midnight, every n-th day when there are many; over a shorter span, times (HH:MM) at bucket
 * starts, with the date where a new day begins. (Labels at every third bucket of a week put
 * the same date under two bars: new-user trial finding.)
 */
function ticksOf(buckets: readonly Bucket[], from: number, to: number): { at: number; text: string }[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  if (to - from > 2 * DAY) {
    const days: number[] = [];
    for (let day = Math.ceil(from / DAY) * DAY; day < to; day += DAY) days.push(day);
    const step = Math.ceil(days.length / MAX_TICKS);
    return days.filter((_, i) => i % step === 0).map((day) => ({ at: day, text: iso(day).slice(5, 10) }));
  }
  const step = Math.max(1, Math.ceil(buckets.length / MAX_TICKS));
  let shownDay = "";
  return buckets
    .filter((_, i) => i % step === 0)
    .map((b) => {
      const day = iso(b.start).slice(5, 10);
      const time = iso(b.start).slice(11, 16);
      const text = day === shownDay ? time : `${day} ${time}`;
      shownDay = day;
      return { at: b.start, text };
    });
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
  const xOf = (ms: number) => PAD.left + ((ms - from) / (to - from)) * innerW;
  const ticks = ticksOf(buckets, from, to)
    // A label starting right at the end would be cut off by the edge.
    .filter((t) => xOf(t.at) + t.text.length * 6.5 <= W)
    .map(
      (t) =>
        html`<text class="tick" x="${xOf(t.at).toFixed(1)}" y="${H - 10}" font-size="11" fill="#5b6470">${t.text}</text>`,
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
