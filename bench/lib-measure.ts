/** Shared timing helpers for the benchmarks. */

/** Calls `fn` repeatedly for about `ms` milliseconds; returns calls per second. */
export function ratePerSecond(fn: (i: number) => void, ms: number): number {
  const deadline = performance.now() + ms;
  let n = 0;
  const start = performance.now();
  while (performance.now() < deadline) {
    for (let k = 0; k < 64; k++) fn(n++);
  }
  return n / ((performance.now() - start) / 1000);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Interleaves rounds of a baseline and a subject so drift in machine speed hits both alike. */
export function interleaved(
  baseline: (i: number) => void,
  subject: (i: number) => void,
  rounds: number,
  msPerRound: number,
): { baseline: number; subject: number; ratio: number } {
  const b: number[] = [];
  const s: number[] = [];
  ratePerSecond(baseline, 200);
  ratePerSecond(subject, 200);
  for (let r = 0; r < rounds; r++) {
    b.push(ratePerSecond(baseline, msPerRound));
    s.push(ratePerSecond(subject, msPerRound));
  }
  const baselineRate = median(b);
  const subjectRate = median(s);
  return {
    baseline: Math.round(baselineRate),
    subject: Math.round(subjectRate),
    ratio: round(subjectRate / baselineRate),
  };
}

export function round(v: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** `--name=N` from the benchmark's arguments, else `fallback`. */
export function numberOption(args: readonly string[], name: string, fallback: number): number {
  for (const a of args) {
    const m = new RegExp(`^--${name}=(\\d+)$`).exec(a);
    if (m?.[1]) return Number(m[1]);
  }
  return fallback;
}
