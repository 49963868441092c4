/**
 * The one rate-limit mechanism: expiring counters and markers by key, with the time passed in by
 * the caller (its injected clock). Attempt limits (mfa/attempt-limiter.ts) and oidc-provider's
 * throttles (auth's `ThrottleStore`) both sit on it. With several replicas, the store's table
 * (`throttle_entries`) backs it, so every replica counts against one allowance; a single process
 * may use `MemoryRateCounters` (bounded, on shared/expiring-cache.ts).
 */
import { ExpiringCache } from "./expiring-cache.ts";

export interface RateCounters {
  /**
   * Adds one to `key` and returns the new value. An absent or expired counter starts at 1 and
   * lives `lifetimeMs` from `nowMs`; a live one keeps its expiry (a fixed window).
   */
  increment(key: string, lifetimeMs: number, nowMs: number): Promise<number>;
  /** The live value, or undefined. */
  read(key: string, nowMs: number): Promise<string | undefined>;
  /** Sets `key` to `value` for `lifetimeMs` from `nowMs`. */
  write(key: string, value: string, lifetimeMs: number, nowMs: number): Promise<void>;
  remove(keys: readonly string[]): Promise<void>;
}

interface Entry {
  value: string;
  expiresAt: number;
}

/** Counters in this process's memory: most keys kept, the least recently used goes first. */
export class MemoryRateCounters implements RateCounters {
  #now = 0;
  readonly #entries: ExpiringCache<string, Entry>;

  constructor(max = 100_000) {
    this.#entries = new ExpiringCache({ max, ttlMs: 3_600_000, clock: () => this.#now });
  }

  /** The live entry: gone at its expiry time, as in the store's table (`expires_at > now`). */
  #live(key: string, nowMs: number): Entry | undefined {
    this.#now = nowMs;
    const entry = this.#entries.get(key);
    return entry !== undefined && entry.expiresAt > nowMs ? entry : undefined;
  }

  async increment(key: string, lifetimeMs: number, nowMs: number): Promise<number> {
    const entry = this.#live(key, nowMs);
    if (entry === undefined) {
      this.#entries.set(key, { value: "1", expiresAt: nowMs + lifetimeMs }, lifetimeMs);
      return 1;
    }
    const next = (Number(entry.value) || 0) + 1;
    const updated = { value: String(next), expiresAt: entry.expiresAt };
    this.#entries.setUntil(key, updated, entry.expiresAt);
    return next;
  }

  async read(key: string, nowMs: number): Promise<string | undefined> {
    return this.#live(key, nowMs)?.value;
  }

  async write(key: string, value: string, lifetimeMs: number, nowMs: number): Promise<void> {
    this.#now = nowMs;
    this.#entries.set(key, { value, expiresAt: nowMs + lifetimeMs }, lifetimeMs);
  }

  async remove(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.#entries.delete(key);
  }
}
