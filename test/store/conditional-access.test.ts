/** Conditional access configuration on both dialects, through policy's use cases. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  deleteNamedLocation,
  loadTenantPolicies,
  PolicyConflictError,
  putNamedLocation,
  putPolicy,
} from "../../src/policy/index.ts";
import type { Store } from "../../src/store/index.ts";
import { createTestDatabase, selectedDialects, type TestDatabase } from "./dialects.ts";

const now = new Date("2026-06-01T00:00:00Z");
const frequencyPolicy = {
  id: "ten-minutes",
  name: "Linux sign-in every 10 minutes; it's \"strict\" -- '; DROP TABLE x; --",
  state: "enabled",
  assignments: { users: { include: "All" }, applications: { include: "All" } },
  conditions: { locations: { include: ["office"] } },
  sessionControls: { signInFrequency: { value: 10, unit: "minutes" } },
};

for (const dialect of selectedDialects()) {
  describe(`conditional access configuration on ${dialect}`, () => {
    let database: TestDatabase;
    let store: Store;
    before(async () => {
      database = createTestDatabase(dialect);
      store = await database.open();
    });
    after(async () => {
      await store?.close();
      await database?.drop();
    });

    it("stores, replaces and loads policies and named locations per tenant", async () => {
      const repo = store.conditionalAccess;
      await putNamedLocation(
        repo,
        "t1",
        { id: "office", name: "Office", trusted: true, cidrs: ["10.1.0.0/16", "::ffff:192.0.2.0/120"] },
        now,
      );
      await putPolicy(repo, "t1", frequencyPolicy, now);
      await putPolicy(repo, "t1", { ...frequencyPolicy, state: "reportOnly" }, now);
      const loaded = await loadTenantPolicies(repo, "t1");
      assert.equal(loaded.policies.length, 1);
      assert.equal(loaded.policies[0]?.state, "reportOnly");
      assert.equal(loaded.policies[0]?.name, frequencyPolicy.name);
      assert.deepEqual(loaded.locations[0]?.cidrs, ["10.1.0.0/16", "192.0.2.0/24"]);
      assert.deepEqual(await loadTenantPolicies(repo, "t2"), { policies: [], locations: [] });
    });

    it("keeps a location a policy uses, and deletes it once unused", async () => {
      const repo = store.conditionalAccess;
      await assert.rejects(deleteNamedLocation(repo, "t1", "office"), PolicyConflictError);
      assert.equal(await repo.deletePolicy("t1", "ten-minutes"), true);
      assert.equal(await deleteNamedLocation(repo, "t1", "office"), true);
      assert.equal(await repo.deletePolicy("t1", "ten-minutes"), false);
    });
  });
}
