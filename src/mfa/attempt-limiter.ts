/**
 * Brute-force limits for passwords, one-time codes and device user codes: after `maxFailures`
 * failures within `windowMs` a key (an account, or a source address) is locked for `lockMs`.
 * Successes clear the key. State is in memory per server process (shared/expiring-cache.ts, bounded); with several replicas each
 * enforces its own limit, which still bounds guessing per replica.
 */
import { ExpiringCache } from "../shared/expiring-cache.ts";
import { AttemptsLockedError } from "./errors.ts";

export interface AttemptLimits {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly lockMs: number;
}

interface Entry {
  failures: number[];
  lockedUntil: number;
}

/** Most keys tracked; the least recently used goes first (a locked key is read on every attempt). */
const MAX_KEYS = 100_000;

export class AttemptLimiter {
  readonly #limits: AttemptLimits;
  /** Time is the caller's (its injected clock), as of the current call. */
  #now = 0;
  readonly #entries: ExpiringCache<string, Entry>;

  constructor(limits: AttemptLimits) {
    this.#limits = limits;
    this.#entries = new ExpiringCache({
      max: MAX_KEYS,
      ttlMs: Math.max(limits.windowMs, limits.lockMs),
      clock: () => this.#now,
    });
  }

  /** Throws AttemptsLockedError while any of `keys` is locked. */
  assertAllowed(keys: readonly string[], nowMs: number): void {
    this.#now = nowMs;
    for (const key of keys) {
      const entry = this.#entries.get(key);
      if (entry && entry.lockedUntil > nowMs)
        throw new AttemptsLockedError(Math.ceil((entry.lockedUntil - nowMs) / 1000));
    }
  }

  recordFailure(keys: readonly string[], nowMs: number): void {
    this.#now = nowMs;
    for (const key of keys) {
      const entry = this.#entries.get(key) ?? { failures: [], lockedUntil: 0 };
      entry.failures = entry.failures.filter((t) => t > nowMs - this.#limits.windowMs);
      entry.failures.push(nowMs);
      if (entry.failures.length >= this.#limits.maxFailures) {
        entry.lockedUntil = nowMs + this.#limits.lockMs;
        entry.failures = [];
      }
      // Kept while it can still matter: its lock, or its oldest failure within the window.
      const until = Math.max(entry.lockedUntil, (entry.failures[0] ?? nowMs) + this.#limits.windowMs);
      this.#entries.setUntil(key, entry, until);
    }
  }

  recordSuccess(keys: readonly string[]): void {
    for (const key of keys) this.#entries.delete(key);
  }
}
