import assert from "node:assert/strict";
import { test } from "node:test";
import { ExpiringCache } from "./expiring-cache.ts";

test("entries expire on the injected clock, not the wall clock", () => {
  let now = 1_000_000;
  const cache = new ExpiringCache<string, number>({ max: 10, ttlMs: 1000, clock: () => now });
  cache.set("a", 1);
  cache.set("b", 2, 5000);
  cache.setUntil("c", 3, now + 200);
  now += 200;
  assert.equal(cache.get("c"), 3, "live through its time");
  now += 1;
  assert.equal(cache.get("c"), undefined, "and gone after it");
  assert.equal(cache.get("a"), 1);
  now += 800;
  assert.equal(cache.get("a"), undefined);
  assert.equal(cache.get("b"), 2);
  now += 4001;
  assert.equal(cache.has("b"), false);
});

test("a lifetime of zero or less removes the key; take gives a value once", () => {
  const now = 0;
  const cache = new ExpiringCache<string, string>({ max: 10, ttlMs: 1000, clock: () => now });
  cache.set("k", "v");
  cache.setUntil("k", "w", now - 1);
  assert.equal(cache.get("k"), undefined);
  cache.set("k", "v");
  assert.equal(cache.take("k"), "v");
  assert.equal(cache.take("k"), undefined);
});

test("bounded: when full the least recently used goes, or with whenFull=refuse nothing goes", () => {
  let now = 0;
  const evicting = new ExpiringCache<number, true>({ max: 3, ttlMs: 1000, clock: () => now });
  for (const k of [1, 2, 3]) evicting.set(k, true);
  evicting.get(1); // 1 is now the most recently used
  evicting.set(4, true);
  assert.equal(evicting.has(2), false);
  assert.deepEqual(
    [1, 3, 4].map((k) => evicting.has(k)),
    [true, true, true],
  );
  assert.ok(evicting.size <= 3);

  const refusing = new ExpiringCache<number, true>({
    max: 2,
    ttlMs: 1000,
    clock: () => now,
    whenFull: "refuse",
  });
  assert.equal(refusing.set(1, true), true);
  assert.equal(refusing.set(2, true), true);
  assert.equal(refusing.set(3, true), false, "full of live entries: refused");
  assert.equal(refusing.has(1), true, "nothing live was forgotten");
  now += 1001;
  assert.equal(refusing.set(3, true), true, "expired entries make room");
});
