/**
 * A `ThrottleStore` in process memory: right for a single server process. Several replicas must
 * share one (the store's), or each would grant an attacker its own allowance.
 */
import type { ThrottleStore } from "./types.ts";

interface Entry {
  value: string;
  expiresAt: number;
}

/** Entries kept at most; the oldest are dropped first, so memory stays bounded under a flood. */
const MAX_ENTRIES = 100_000;

export function createMemoryThrottleStore(now: () => number = Date.now): ThrottleStore {
  const entries = new Map<string, Entry>();

  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry !== undefined && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  const set = (key: string, value: string, lifetimeSeconds: number) => {
    entries.delete(key);
    if (entries.size >= MAX_ENTRIES) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
    entries.set(key, { value, expiresAt: now() + lifetimeSeconds * 1000 });
  };

  return {
    async increment(key, lifetimeSeconds) {
      const entry = live(key);
      if (entry === undefined) {
        set(key, "1", lifetimeSeconds);
        return 1;
      }
      const next = Number(entry.value) + 1;
      entry.value = String(next);
      return next;
    },
    async count(key) {
      const entry = live(key);
      return entry === undefined ? 0 : Number(entry.value);
    },
    async get(key) {
      return live(key)?.value;
    },
    async put(key, value, lifetimeSeconds) {
      set(key, value, lifetimeSeconds);
    },
  };
}
