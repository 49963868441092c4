/**
 * Short-lived server-side state of the pages: sign-in flows between steps, WebAuthn challenges,
 * TOTP secrets awaiting confirmation, portal sessions. Cookies carry only random ids, so nothing
 * the browser holds can be edited into another state, and `take` makes one-time values one-time.
 * With several replicas, back it with a shared store (or use sticky sessions).
 */
import { ExpiringCache } from "../../shared/expiring-cache.ts";

export interface PortalStateStore {
  put(key: string, value: string, ttlMs: number, nowMs: number): Promise<void>;
  get(key: string, nowMs: number): Promise<string | undefined>;
  /** Returns the value and removes it: only one caller gets it. */
  take(key: string, nowMs: number): Promise<string | undefined>;
  delete(key: string): Promise<void>;
}

/** Bounded so a flood of abandoned sign-ins cannot grow memory without limit. */
const MAX_ENTRIES = 200_000;

/** On shared/expiring-cache.ts; time is the caller's (its injected clock), as of each call. */
export class InMemoryStateStore implements PortalStateStore {
  #now = 0;
  readonly #entries = new ExpiringCache<string, string>({
    max: MAX_ENTRIES,
    ttlMs: 3_600_000,
    clock: () => this.#now,
  });

  async put(key: string, value: string, ttlMs: number, nowMs: number): Promise<void> {
    this.#now = nowMs;
    this.#entries.set(key, value, ttlMs);
  }

  async get(key: string, nowMs: number): Promise<string | undefined> {
    this.#now = nowMs;
    return this.#entries.get(key);
  }

  async take(key: string, nowMs: number): Promise<string | undefined> {
    this.#now = nowMs;
    return this.#entries.take(key);
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }
}
