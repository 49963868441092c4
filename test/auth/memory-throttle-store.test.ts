import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createMemoryThrottleStore } from "../../src/auth/index.ts";

describe("createMemoryThrottleStore", () => {
  it("counts within a lifetime and forgets after it", async () => {
    let now = 1_000_000;
    const store = createMemoryThrottleStore(() => now);
    assert.equal(await store.increment("k", 10), 1);
    assert.equal(await store.increment("k", 10), 2);
    assert.equal(await store.count("k"), 2);
    now += 10_001;
    assert.equal(await store.count("k"), 0);
    assert.equal(await store.increment("k", 10), 1);
  });

  it("keeps records until they expire", async () => {
    let now = 0;
    const store = createMemoryThrottleStore(() => now);
    await store.put("r", "v", 1);
    assert.equal(await store.get("r"), "v");
    now += 1000;
    assert.equal(await store.get("r"), undefined);
  });
});
