/**
 * Brute-force limits for passwords, one-time codes and device user codes: after `maxFailures`
 * failures within `windowMs` (a fixed window from the first failure) a key (an account, or a
 * source address) is locked for `lockMs`. Successes clear the key.
 *
 * State is in the one rate-limit mechanism (shared/rate-counters.ts): the store's table when the
 * server runs, so every replica counts against one limit; bounded memory counters for a single
 * process. Time is the caller's (its injected clock).
 */
import { MemoryRateCounters, type RateCounters } from "../shared/rate-counters.ts";
import { AttemptsLockedError } from "./errors.ts";

export interface AttemptLimits {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly lockMs: number;
}

export class AttemptLimiter {
  readonly #limits: AttemptLimits;
  readonly #counters: RateCounters;
  readonly #name: string;

  /**
   * `name` keeps limiters with different limits apart on shared counters (default "attempts");
   * `counters` default to this process's memory.
   */
  constructor(limits: AttemptLimits, counters: RateCounters = new MemoryRateCounters(), name = "attempts") {
    this.#limits = limits;
    this.#counters = counters;
    this.#name = name;
  }

  #failures = (key: string) => `${this.#name}:fail:${key}`;
  #lock = (key: string) => `${this.#name}:lock:${key}`;

  /** Throws AttemptsLockedError while any of `keys` is locked. */
  async assertAllowed(keys: readonly string[], nowMs: number): Promise<void> {
    for (const key of keys) {
      const until = Number((await this.#counters.read(this.#lock(key), nowMs)) ?? 0);
      if (until > nowMs) throw new AttemptsLockedError(Math.ceil((until - nowMs) / 1000));
    }
  }

  async recordFailure(keys: readonly string[], nowMs: number): Promise<void> {
    for (const key of keys) {
      const failures = await this.#counters.increment(this.#failures(key), this.#limits.windowMs, nowMs);
      if (failures >= this.#limits.maxFailures) {
        const until = nowMs + this.#limits.lockMs;
        await this.#counters.write(this.#lock(key), String(until), this.#limits.lockMs, nowMs);
        await this.#counters.remove([this.#failures(key)]);
      }
    }
  }

  async recordSuccess(keys: readonly string[]): Promise<void> {
    await this.#counters.remove(keys.flatMap((key) => [this.#failures(key), this.#lock(key)]));
  }
}
