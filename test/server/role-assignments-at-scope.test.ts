/** `$filter=atScope()` on role-assignment lists: this scope's assignments and every inherited one. */
import assert from "node:assert/strict";
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
});
