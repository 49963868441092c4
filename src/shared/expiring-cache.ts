/**
 * The one way hostpass caches in memory: a bounded map whose entries expire, on `lru-cache`.
 * Bounded (`max`): when full, the least recently used entry goes, or, with `whenFull: "refuse"`,
 * nothing goes and `set` answers false (for caches whose entries must not be forgotten early, such
 * as replay caches: a flood then fails closed instead of re-admitting a used proof). Expiry is on
 * the injected clock (shared/clock.ts), never the wall clock: lru-cache reads time only through
 * the `perf` it is given, and checks expiry on every read (`ttlResolution: 0`, no timers). An
 * entry set for `ttlMs` is live through that many ms and gone after (lru-cache's rule).
 */
import { LRUCache } from "lru-cache";
import type { Clock } from "./clock.ts";

const CLOCK_OFFSET = 2 ** 42;

export interface ExpiringCacheOptions {
  /** Most entries kept. */
  readonly max: number;
  /** Lifetime of an entry when `set` names none, in ms. */
  readonly ttlMs: number;
  readonly clock: Clock;
  /** When full: drop the least recently used entry (default), or refuse the new one. */
  readonly whenFull?: "evict" | "refuse";
}

export class ExpiringCache<K extends {}, V extends {}> {
  readonly #cache: LRUCache<K, V>;
  readonly #clock: Clock;
  readonly #refuse: boolean;

  constructor(options: ExpiringCacheOptions) {
    if (!(Number.isInteger(options.max) && options.max > 0))
      throw new TypeError("max must be a positive integer");
    if (!(options.ttlMs > 0)) throw new TypeError("ttlMs must be positive");
    this.#clock = options.clock;
    this.#refuse = options.whenFull === "refuse";
    this.#cache = new LRUCache<K, V>({
      max: options.max,
      ttl: options.ttlMs,
      ttlResolution: 0,
      ttlAutopurge: false,
      allowStale: false,
      updateAgeOnGet: false,
      // lru-cache treats a start time of 0 as "no expiry": time is shifted off zero (only
      // differences matter to it).
      perf: { now: () => options.clock() + CLOCK_OFFSET },
    });
  }

  /** The live value, or undefined (an expired entry is removed). */
  get(key: K): V | undefined {
    return this.#cache.get(key);
  }

  has(key: K): boolean {
    return this.#cache.has(key);
  }

  /**
   * Keeps `value` for `ttlMs` (default: the cache's). A lifetime of 0 or less removes the key.
   * False only when the cache refuses because it is full of live entries.
   */
  set(key: K, value: V, ttlMs?: number): boolean {
    const ttl = ttlMs ?? this.#cache.ttl;
    if (!(ttl > 0)) {
      this.#cache.delete(key);
      return true;
    }
    if (this.#refuse && !this.#cache.has(key) && this.#cache.size >= this.#cache.max) {
      this.#cache.purgeStale();
      if (this.#cache.size >= this.#cache.max) return false;
    }
    this.#cache.set(key, value, { ttl: Math.ceil(ttl) });
    return true;
  }

  /** Keeps `value` until the clock reads `untilMs`. */
  setUntil(key: K, value: V, untilMs: number): boolean {
    return this.set(key, value, untilMs - this.#clock());
  }

  /** The live value, removed: only one caller gets it. */
  take(key: K): V | undefined {
    const value = this.#cache.get(key);
    this.#cache.delete(key);
    return value;
  }

  delete(key: K): void {
    this.#cache.delete(key);
  }

  clear(): void {
    this.#cache.clear();
  }

  /** Entries held, expired ones not yet dropped included. */
  get size(): number {
    return this.#cache.size;
  }
}
