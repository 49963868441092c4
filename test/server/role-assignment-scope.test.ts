/**
 * A role assignment's scope must name something that exists, and is kept in its canonical
 * spelling (issue 11 item 8): keywords and names match in any ASCII case, as in Azure, but nothing
 * else folds (the Kelvin sign U+212A is not `k`), and a scope that names nothing is refused.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type StoreServer, startStoreServer } from "./store-server.ts";

describe("role assignment scopes on the real resource tree", () => {
  let s: StoreServer;
  let sub: string;
  let bob: { id: string };
  before(async () => {
    s = await startStoreServer();
    sub = `/subscriptions/${s.boot.subscriptionId}`;
    for (const name of ["Prod", "rgk"]) {
      const rg = await call("PUT", `${sub}/resourceGroups/${name}`, { location: "local" });
      assert.equal(rg.statusCode, 201, rg.body);
    }
    const vm = await call("PUT", `${sub}/resourceGroups/Prod/providers/Compute/virtualMachines/Web1`, {
      image: "debian-12",
      adminUsername: "localadmin",
    });
    assert.equal(vm.statusCode, 201, vm.body);
    bob = (
      await call("POST", "/directory/users", { userPrincipalName: "bob@contoso.example", displayName: "B" })
    ).json();
  });
  after(() => s.close());

  function call(method: "GET" | "PUT" | "POST", url: string, payload?: object, headers = s.admin) {
    return s.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
  }
  const assign = (scope: string, headers = s.admin) =>
    call(
      "PUT",
      `${scope}/providers/Authorization/roleAssignments/${randomUUID()}`,
      { role: "Reader", assignee: bob.id },
      headers,
    );
  const bobsAssignments = async () =>
    (await s.store.rbac.listRoleAssignments(s.tenantId, { principalId: bob.id }, { limit: 1000 })).items.map(
      (a) => `${a.scope} ${a.roleDefinitionId}`,
    );

  it("stores the canonical spelling of a scope whose names are written in another ASCII case", async () => {
    const upper = `/subscriptions/${s.boot.subscriptionId.toUpperCase()}/resourceGroups/PROD/providers/Compute/virtualMachines/WEB1`;
    const response = await assign(upper);
    assert.equal(response.statusCode, 201, response.body);
    const canonical = `${sub}/resourceGroups/Prod/providers/Compute/virtualMachines/Web1`;
    assert.equal(response.json().scope, canonical);
    assert.ok(response.json().id.startsWith(`${canonical}/providers/Authorization/roleAssignments/`));
  });

  it("accepts the root scope and an existing resource group as written", async () => {
    for (const scope of ["", `${sub}/resourceGroups/rgk`]) {
      const response = await assign(scope);
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(response.json().scope, scope === "" ? "/" : scope);
    }
  });

  const refused: Array<[string, () => string, number]> = [
    ["a resource group that does not exist", () => `${sub}/resourceGroups/Staging`, 404],
    [
      "a machine that does not exist in an existing group",
      () => `${sub}/resourceGroups/Prod/providers/Compute/virtualMachines/Web2`,
      404,
    ],
    ["a subscription that does not exist", () => `/subscriptions/${randomUUID()}`, 404],
    ["a management group that does not exist", () => "/providers/Management/managementGroups/nope", 404],
    ["the Kelvin sign for the k of an existing group", () => `${sub}/resourceGroups/rg\u212a`, 400],
    ["a fullwidth letter for an ASCII one", () => `${sub}/resourceGroups/\uff30rod`, 400],
  ];
  for (const [what, scope, status] of refused) {
    it(`refuses ${what} (${status}) and assigns nothing`, async () => {
      const before = await bobsAssignments();
      const response = await assign(encodeURI(scope()));
      assert.equal(response.statusCode, status, response.body);
      assert.match(response.json().error.code, /^ERR_RESOURCE_(NOT_FOUND|INVALID_ID)$/);
      assert.deepEqual(await bobsAssignments(), before);
    });
  }

  it("tells a caller who may not assign nothing about existence: 403 either way", async () => {
    const eve = (
      await call("POST", "/directory/users", { userPrincipalName: "eve@contoso.example", displayName: "E" })
    ).json();
    const asEve = await s.as(eve.id);
    for (const name of ["Prod", "Staging"]) {
      const response = await assign(`${sub}/resourceGroups/${name}`, asEve);
      assert.equal(response.statusCode, 403, response.body);
    }
  });
});
