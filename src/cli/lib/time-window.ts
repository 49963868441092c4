/** az monitor's time window: `--start-time`/`--end-time` (ISO 8601) or `--offset` back from the end. */
import type { Command } from "commander";
import { CliUsageError } from "../errors.ts";

export interface TimeWindowArgs {
  readonly startTime?: string;
  readonly endTime?: string;
  readonly offset?: string;
}

export function timeWindowOptions(command: Command): Command {
  return command
    .option("--start-time <iso-8601>", "from this time (inclusive)")
    .option("--end-time <iso-8601>", "until this time (exclusive; default now)")
    .option(
      "--offset <duration>",
      "how far back from the end, e.g. 30m, 6h, 7d (default 6h unless --start-time)",
    );
}

const UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function isoTime(flag: string, value: string): Date {
  const t = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(t.getTime()))
    throw new CliUsageError(`${flag}: ${JSON.stringify(value)} is not an ISO 8601 time`);
  return t;
}

/** `{ from, to }` as the API's query takes them; `now` is the caller's clock. */
export function timeWindow(args: TimeWindowArgs, now: number): { from: string; to?: string } {
  if (args.startTime && args.offset) throw new CliUsageError("give --start-time or --offset, not both");
  const to = args.endTime ? isoTime("--end-time", args.endTime) : undefined;
  if (args.startTime) {
    const from = isoTime("--start-time", args.startTime);
    return { from: from.toISOString(), ...(to ? { to: to.toISOString() } : {}) };
  }
  const m = /^(\d{1,6})([smhd])$/.exec(args.offset ?? "6h");
  if (!m)
    throw new CliUsageError(`--offset: ${JSON.stringify(args.offset)} is not a duration like 30m, 6h or 7d`);
  const end = to?.getTime() ?? now;
  return {
    from: new Date(end - Number(m[1]) * (UNITS[m[2] as string] as number)).toISOString(),
    ...(to ? { to: to.toISOString() } : {}),
  };
}
