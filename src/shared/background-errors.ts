/**
 * Errors of background work that no request waits for (RBAC sync, the host channel's followers,
 * clean-up after a failed machine change, records written after the response, ...). None is
 * swallowed: each is logged, counted per source, and shown by `GET /health` (issue 11 item 3):
 * anyone sees whether the service is `ok` or `degraded` (an error in the last 5 minutes);
 * administrators see the sources, counts and the last error's code and text.
 */
import type { Clock } from "./clock.ts";
import { failureCodeOf } from "./public-failure.ts";

/** How long one error keeps the service `degraded`. */
export const DEGRADED_FOR_MS = 5 * 60_000;

export interface BackgroundErrorSource {
  readonly source: string;
  readonly count: number;
  readonly lastAt: string;
  readonly lastCode: string;
  /** Internal text: for administrators only (never in a public answer or a record). */
  readonly lastMessage: string;
}

export interface BackgroundHealth {
  readonly ok: boolean;
  readonly sources: readonly BackgroundErrorSource[];
}

export interface BackgroundErrors {
  /** Logs, counts and remembers one error of `source` (a short stable name, e.g. `rbacSync`). */
  record(source: string, error: unknown): void;
  health(): BackgroundHealth;
}

export interface BackgroundErrorsOptions {
  readonly clock: Clock;
  readonly log: (source: string, error: unknown) => void;
}

/** Sources are names in code, so there are few; the bound only guards against a bug. */
const MAX_SOURCES = 64;
/** A source failing on every tick (a store down) is logged once per this interval, counted always. */
const LOG_EVERY_MS = 10_000;

export function createBackgroundErrors(options: BackgroundErrorsOptions): BackgroundErrors {
  const sources = new Map<
    string,
    BackgroundErrorSource & { readonly lastAtMs: number; readonly loggedAtMs: number }
  >();
  return {
    record(source, error) {
      const now = options.clock();
      const before = sources.get(source);
      const log = before === undefined || now - before.loggedAtMs >= LOG_EVERY_MS;
      if (log) {
        try {
          options.log(source, error);
        } catch {
          // a failing logger must not hide the count
        }
      }
      if (before === undefined && sources.size >= MAX_SOURCES) return;
      const message = error instanceof Error ? error.message : String(error);
      sources.set(source, {
        source,
        count: (before?.count ?? 0) + 1,
        lastAtMs: now,
        loggedAtMs: log ? now : (before?.loggedAtMs ?? now),
        lastAt: new Date(now).toISOString(),
        lastCode: failureCodeOf(error),
        lastMessage: message.slice(0, 1000),
      });
    },
    health() {
      const since = options.clock() - DEGRADED_FOR_MS;
      const all = [...sources.values()].sort((a, b) => a.source.localeCompare(b.source));
      return {
        ok: all.every((s) => s.lastAtMs <= since),
        sources: all.map(({ lastAtMs: _t, loggedAtMs: _l, ...rest }) => rest),
      };
    },
  };
}
