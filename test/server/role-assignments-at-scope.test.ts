/**
 * `$filter=atScope()` on role-assignment lists: this scope's assignments and every inherited one;
 * `includeBelow=true` (`role assignment list --all`): and every one below it, management groups
 * included.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createUser } from "../../src/directory/index.ts";
import { type StoreServer, startStoreServer } from "./store-server.ts";

describe("role assignments at and above a scope", () => {
  let s: StoreServer;
  let rg: string;
  let userId: string;
  before(async () => {
    s = await startStoreServer();
    rg = `/subscriptions/${s.boot.subscriptionId}/resourceGroups/inherit`;
    const created = await s.app.inject({
      method: "PUT",
      url: rg,
      headers: s.admin,
      payload: { location: "local" },
    });
    assert.equal(created.statusCode, 201, created.body);
    userId = (
      await createUser(s.store.directory, {
        tenantId: s.tenantId,
        upn: "ina@hostpass.local",
        displayName: "Ina",
      })
    ).id;
    const assigned = await s.app.inject({
      method: "PUT",
      url: `${rg}/providers/Authorization/roleAssignments/3f2b1c1e-0a7d-4e55-9d7b-1c2d3e4f5a6b`,
      headers: s.admin,
      payload: { role: "Reader", assignee: userId },
    });
    assert.equal(assigned.statusCode, 201, assigned.body);
  });
  after(() => s.close());

  const list = async (query: string) => {
    const res = await s.app.inject({
      method: "GET",
      url: `${rg}/providers/Authorization/roleAssignments${query}`,
      headers: s.admin,
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().value as { scope: string; roleDefinitionName: string; principalId: string }[];
  };

  it("lists only the scope's own assignments by default", async () => {
    assert.deepEqual(
      (await list("")).map((a) => a.roleDefinitionName),
      ["Reader"],
    );
  });

  it("adds the inherited ones, nearest scope first, each with its own scope", async () => {
    const all = await list("?$filter=atScope()");
    assert.deepEqual(
      all.map((a) => [a.roleDefinitionName, a.scope]),
      [
        ["Reader", rg],
        ["Owner", "/"],
      ],
    );
    const ina = await list(`?$filter=atScope()&principalId=${userId}`);
    assert.deepEqual(
      ina.map((a) => a.roleDefinitionName),
      ["Reader"],
    );
    const paged = await s.app.inject({
      method: "GET",
      url: `${rg}/providers/Authorization/roleAssignments?$filter=atScope()&top=1`,
      headers: s.admin,
    });
    assert.equal(paged.json().value.length, 1);
    assert.match(paged.json().nextLink, /skipToken=/);
  });

  it("refuses any other filter", async () => {
    const res = await s.app.inject({
      method: "GET",
      url: `${rg}/providers/Authorization/roleAssignments?$filter=principalId eq 'x'`,
      headers: s.admin,
    });
    assert.equal(res.statusCode, 400);
  });

  describe("at and below a scope (includeBelow=true)", () => {
    const mg = "/providers/Management/managementGroups/Platform";
    const sub = randomUUID();
    const subId = `/subscriptions/${sub}`;
    const put = async (url: string, payload: Record<string, unknown>) => {
      const res = await s.app.inject({ method: "PUT", url, headers: s.admin, payload });
      assert.equal(res.statusCode, 201, res.body);
    };
    const assign = (scope: string, role: string) =>
      put(`${scope}/providers/Authorization/roleAssignments/${randomUUID()}`, { role, assignee: userId });
    const at = async (scope: string, query: string) => {
      const res = await s.app.inject({
        method: "GET",
        url: `${scope === "/" ? "" : scope}/providers/Authorization/roleAssignments?principalId=${userId}&${query}`,
        headers: s.admin,
      });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json().value as { scope: string; roleDefinitionName: string }[]).map((a) => [
        a.roleDefinitionName,
        a.scope,
      ]);
    };
    before(async () => {
      await put(mg, { displayName: "Platform" });
      await put(subId, { displayName: "Platform one", managementGroupId: mg });
      await put(`${subId}/resourceGroups/below`, { location: "local" });
      await put(`${subId}/resourceGroups/below2`, { location: "local" });
      await assign(mg, "Reader");
      await assign(subId, "Contributor");
      await assign(`${subId}/resourceGroups/below`, "Virtual Machine User Login");
      await assign(`${subId}/resourceGroups/below2`, "Virtual Machine Administrator Login");
    });

    it("a subscription: its own and its resource groups', by scope; not above it, nor a neighbour's", async () => {
      assert.deepEqual(await at(subId, "includeBelow=true"), [
        ["Contributor", subId],
        ["Virtual Machine User Login", `${subId}/resourceGroups/below`],
        ["Virtual Machine Administrator Login", `${subId}/resourceGroups/below2`],
      ]);
      // The first test's resource group lies in another subscription.
      assert.ok(!(await at(subId, "includeBelow=true")).some(([, scope]) => scope === rg));
    });

    it("a management group: its subscriptions and everything in them (by the tree, not by id)", async () => {
      const below = await at(mg, "includeBelow=true");
      assert.deepEqual(below, [
        ["Reader", mg],
        ["Contributor", subId],
        ["Virtual Machine User Login", `${subId}/resourceGroups/below`],
        ["Virtual Machine Administrator Login", `${subId}/resourceGroups/below2`],
      ]);
    });

    it("the root: every assignment; with atScope() too: above, at and below, each once", async () => {
      const all = await at("/", "includeBelow=true");
      assert.equal(all.length, 5, JSON.stringify(all)); // the four above and the first test's Reader
      const both = await at(`${subId}/resourceGroups/below`, "includeBelow=true&$filter=atScope()");
      assert.deepEqual(both, [
        ["Virtual Machine User Login", `${subId}/resourceGroups/below`],
        ["Contributor", subId],
        ["Reader", mg],
      ]);
    });

    it("refuses any other value", async () => {
      const res = await s.app.inject({
        method: "GET",
        url: `${subId}/providers/Authorization/roleAssignments?includeBelow=yes`,
        headers: s.admin,
      });
      assert.equal(res.statusCode, 400);
    });
  });
});
