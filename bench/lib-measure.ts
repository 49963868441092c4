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

/** The `p` quantile (0..1) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

/** `--name=value` or `--name value` from the benchmark's arguments. */
export function stringOption(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
    if (a === `--${name}` && i + 1 < args.length) return args[i + 1];
  }
  return undefined;
}

/** `database` (a PostgreSQL URL) with `?schema=<name>`; other URLs as they are. */
export function schemaUrl(database: string, name: string): string {
  if (!/^postgres(ql)?:\/\//.test(database)) return database;
  const url = new URL(database);
  url.searchParams.set("schema", name);
  return url.toString();
}

/** Drops the schema a `schemaUrl` names (nothing for other URLs). */
export async function dropSchema(database: string): Promise<void> {
  if (!/^postgres(ql)?:\/\//.test(database)) return;
  const url = new URL(database);
  const schema = url.searchParams.get("schema");
  if (!schema) return;
  url.searchParams.delete("schema");
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema.replaceAll('"', '""')}" cascade`);
  } finally {
    await client.end();
  }
}

/** A schema of its own for one benchmark run (`hostpass_bench_<tag>_<pid>`), and `drop` to remove it. */
export function freshSchema(database: string, tag: string): { url: string; drop(): Promise<void> } {
  const url = schemaUrl(database, `hostpass_bench_${tag}_${process.pid}`);
  return { url, drop: () => dropSchema(url) };
}
