/**
 * Short-lived server-side state of the pages: sign-in flows between steps, WebAuthn challenges,
 * TOTP secrets awaiting confirmation, portal sessions. Cookies carry only random ids, so nothing
 * the browser holds can be edited into another state, and `take` makes one-time values one-time.
 * `hostpass server` backs it with the store (replicas share it); tests and single processes may
 * use `InMemoryStateStore`.
 */
import { ExpiringCache } from "../../shared/expiring-cache.ts";
import { PENDING_STATE_KINDS, stateKindOf } from "../../shared/sign-in-state.ts";

export interface PortalStateStore {
  put(key: string, value: string, ttlMs: number, nowMs: number): Promise<void>;
  get(key: string, nowMs: number): Promise<string | undefined>;
  /** Returns the value and removes it: only one caller gets it. */
  take(key: string, nowMs: number): Promise<string | undefined>;
  delete(key: string): Promise<void>;
  /**
   * Sets `key` for `ttlMs` unless it is already set and live: true for exactly one caller at a
   * time (on every replica sharing the store), until it deletes the key or the ttl runs out.
   */
  claim(key: string, ttlMs: number, nowMs: number): Promise<boolean>;
}

const isPending = (key: string): boolean => PENDING_STATE_KINDS.has(stateKindOf(key));

/** Most entries of each group (pending, sessions) kept in memory. */
const MAX_ENTRIES = 100_000;

/**
 * In this process's memory, for a single server (replicas use the store's). Pending sign-ins
 * (shared/sign-in-state.ts) and sessions are bounded in caches of their own, so a flood of
 * abandoned sign-ins pushes out only the oldest of its own kind, never a session. On
 * shared/expiring-cache.ts; time is the caller's (its injected clock), as of each call.
 */
export class InMemoryStateStore implements PortalStateStore {
  #now = 0;
  readonly #pending = new ExpiringCache<string, string>({
    max: MAX_ENTRIES,
    ttlMs: 3_600_000,
    clock: () => this.#now,
  });
  readonly #sessions = new ExpiringCache<string, string>({
    max: MAX_ENTRIES,
    ttlMs: 3_600_000,
    clock: () => this.#now,
  });

  #of(key: string): ExpiringCache<string, string> {
    return isPending(key) ? this.#pending : this.#sessions;
  }

  async put(key: string, value: string, ttlMs: number, nowMs: number): Promise<void> {
    this.#now = nowMs;
    this.#of(key).set(key, value, ttlMs);
  }

  async get(key: string, nowMs: number): Promise<string | undefined> {
    this.#now = nowMs;
    return this.#of(key).get(key);
  }

  async take(key: string, nowMs: number): Promise<string | undefined> {
    this.#now = nowMs;
    return this.#of(key).take(key);
  }

  async delete(key: string): Promise<void> {
    this.#of(key).delete(key);
  }

  async claim(key: string, ttlMs: number, nowMs: number): Promise<boolean> {
    this.#now = nowMs;
    const cache = this.#of(key);
    if (cache.get(key) !== undefined) return false;
    cache.set(key, "claimed", ttlMs);
    return true;
  }
}
