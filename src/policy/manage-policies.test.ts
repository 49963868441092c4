import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ConditionalAccessRepository,
  deleteNamedLocation,
  loadTenantPolicies,
  PolicyConflictError,
  putNamedLocation,
  putPolicy,
} from "./index.ts";

/** An in-memory test double of the store's repository. */
function memoryRepository(): ConditionalAccessRepository {
  const policies = new Map<string, unknown>();
  const locations = new Map<string, unknown>();
  return {
    listPolicies: async (t) => [...policies].filter(([k]) => k.startsWith(`${t}/`)).map(([, v]) => v),
    putPolicy: async (t, id, doc) => void policies.set(`${t}/${id}`, doc),
    deletePolicy: async (t, id) => policies.delete(`${t}/${id}`),
    listNamedLocations: async (t) => [...locations].filter(([k]) => k.startsWith(`${t}/`)).map(([, v]) => v),
    putNamedLocation: async (t, id, doc) => void locations.set(`${t}/${id}`, doc),
    deleteNamedLocation: async (t, id) => locations.delete(`${t}/${id}`),
  };
}

const now = new Date();
const policy = (extra: Record<string, unknown> = {}) => ({
  id: "block-outside",
  name: "Block outside the office",
  state: "enabled",
  assignments: { users: { include: "All" }, applications: { include: "All" } },
  conditions: { locations: { include: "All", exclude: ["office"] } },
  grantControls: { operator: "OR", controls: ["block"] },
  ...extra,
});

describe("conditional access configuration", () => {
  it("stores validated documents and loads them back as policies, per tenant", async () => {
    const repo = memoryRepository();
    await putNamedLocation(
      repo,
      "t1",
      { id: "office", name: "Office", trusted: true, cidrs: ["10.1.0.0/16", "2001:db8::/32"] },
      now,
    );
    await putPolicy(repo, "t1", policy(), now);
    const loaded = await loadTenantPolicies(repo, "t1");
    assert.equal(loaded.policies.length, 1);
    assert.deepEqual(loaded.locations[0]?.cidrs, ["10.1.0.0/16", "2001:db8::/32"]);
    assert.deepEqual(await loadTenantPolicies(repo, "t2"), { policies: [], locations: [] });
  });

  it("refuses a policy naming an unknown location, and deleting a location in use", async () => {
    const repo = memoryRepository();
    await assert.rejects(putPolicy(repo, "t1", policy(), now), /office/);
    await putNamedLocation(repo, "t1", { id: "office", name: "Office", cidrs: ["10.1.0.0/16"] }, now);
    await putPolicy(repo, "t1", policy(), now);
    await assert.rejects(deleteNamedLocation(repo, "t1", "office"), PolicyConflictError);
    await repo.deletePolicy("t1", "block-outside");
    assert.equal(await deleteNamedLocation(repo, "t1", "office"), true);
  });

  it("refuses invalid documents before they reach the store", async () => {
    const repo = memoryRepository();
    await assert.rejects(putNamedLocation(repo, "t1", { id: "x", name: "X", cidrs: ["10.0.0.0/33"] }, now));
    await assert.rejects(putPolicy(repo, "t1", { ...policy(), state: "on" }, now));
    assert.deepEqual(await repo.listPolicies("t1"), []);
  });
});
