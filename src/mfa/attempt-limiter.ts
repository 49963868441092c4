/**
 * Brute-force limits for passwords, one-time codes and device user codes: after `maxFailures`
 * failures within `windowMs` a key (an account, or a source address) is locked for `lockMs`.
 * Successes clear the key. State is in memory per server process; with several replicas each
 * enforces its own limit, which still bounds guessing per replica.
 */
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

export class AttemptLimiter {
  readonly #limits: AttemptLimits;
  readonly #entries = new Map<string, Entry>();

  constructor(limits: AttemptLimits) {
    this.#limits = limits;
  }

  /** Throws AttemptsLockedError while any of `keys` is locked. */
  assertAllowed(keys: readonly string[], nowMs: number): void {
    for (const key of keys) {
      const entry = this.#entries.get(key);
      if (entry && entry.lockedUntil > nowMs)
        throw new AttemptsLockedError(Math.ceil((entry.lockedUntil - nowMs) / 1000));
    }
  }

  recordFailure(keys: readonly string[], nowMs: number): void {
    for (const key of keys) {
      const entry = this.#entries.get(key) ?? { failures: [], lockedUntil: 0 };
      entry.failures = entry.failures.filter((t) => t > nowMs - this.#limits.windowMs);
      entry.failures.push(nowMs);
      if (entry.failures.length >= this.#limits.maxFailures) {
        entry.lockedUntil = nowMs + this.#limits.lockMs;
        entry.failures = [];
      }
      this.#entries.set(key, entry);
    }
    if (this.#entries.size > 100_000) this.#prune(nowMs);
  }

  recordSuccess(keys: readonly string[]): void {
    for (const key of keys) this.#entries.delete(key);
  }

  #prune(nowMs: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.lockedUntil <= nowMs && entry.failures.every((t) => t <= nowMs - this.#limits.windowMs))
        this.#entries.delete(key);
    }
  }
}
