/**
 * auth's `ThrottleStore` over the one rate-limit mechanism (shared/rate-counters.ts). In memory
 * (`MemoryRateCounters`) it is right for a single server process; several replicas pass the
 * store's counters, or each would grant an attacker its own allowance.
 */
import type { Clock } from "../shared/clock.ts";
import { MemoryRateCounters, type RateCounters } from "../shared/rate-counters.ts";
import type { ThrottleStore } from "./types.ts";

export function throttleStoreOver(counters: RateCounters, now: Clock): ThrottleStore {
  const ms = (seconds: number) => {
    if (!Number.isFinite(seconds)) throw new TypeError("lifetimeSeconds must be a finite number");
    return Math.round(seconds * 1000);
  };
  return {
    increment: (key, lifetimeSeconds) => counters.increment(key, ms(lifetimeSeconds), now()),
    async count(key) {
      const value = await counters.read(key, now());
      return value === undefined ? 0 : Number(value);
    },
    get: (key) => counters.read(key, now()),
    put: (key, value, lifetimeSeconds) => counters.write(key, value, ms(lifetimeSeconds), now()),
  };
}

export function createMemoryThrottleStore(now: Clock = Date.now): ThrottleStore {
  return throttleStoreOver(new MemoryRateCounters(), now);
}
