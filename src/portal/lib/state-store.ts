/**
 * Short-lived server-side state of the pages: sign-in flows between steps, WebAuthn challenges,
 * TOTP secrets awaiting confirmation, portal sessions. Cookies carry only random ids, so nothing
 * the browser holds can be edited into another state, and `take` makes one-time values one-time.
 * With several replicas, back it with a shared store (or use sticky sessions).
 */
export interface PortalStateStore {
  put(key: string, value: string, ttlMs: number, nowMs: number): Promise<void>;
  get(key: string, nowMs: number): Promise<string | undefined>;
  /** Returns the value and removes it: only one caller gets it. */
  take(key: string, nowMs: number): Promise<string | undefined>;
  delete(key: string): Promise<void>;
}

/** Bounded so a flood of abandoned sign-ins cannot grow memory without limit. */
const MAX_ENTRIES = 200_000;

export class InMemoryStateStore implements PortalStateStore {
  readonly #entries = new Map<string, { value: string; expiresAt: number }>();

  async put(key: string, value: string, ttlMs: number, nowMs: number): Promise<void> {
    if (this.#entries.size >= MAX_ENTRIES) this.#prune(nowMs);
    if (this.#entries.size >= MAX_ENTRIES) {
      // Still full of live entries: drop the oldest (Map keeps insertion order).
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: nowMs + ttlMs });
  }

  async get(key: string, nowMs: number): Promise<string | undefined> {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= nowMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  async take(key: string, nowMs: number): Promise<string | undefined> {
    const value = await this.get(key, nowMs);
    this.#entries.delete(key);
    return value;
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  #prune(nowMs: number): void {
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= nowMs) this.#entries.delete(key);
  }
}
