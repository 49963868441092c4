import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type StoreServer, startStoreServer } from "./store-server.ts";

/** Who may assign roles, and what assignments grant, on the real store with the real directory. */
describe("access control end to end", () => {
  let s: StoreServer;
  let vm: string;
  const ids: Record<string, string> = {};
  before(async () => {
    s = await startStoreServer();
    const rg = `/subscriptions/${s.boot.subscriptionId}/resourceGroups/LinuxVMs`;
    vm = `${rg}/providers/Compute/virtualMachines/myVM`;
    const admin = (method: "POST" | "PUT", url: string, payload: object) =>
      s.app.inject({ method, url, headers: s.admin, payload });
    for (const name of ["uaa", "contrib", "nested", "outsider"]) {
      ids[name] = (
        await admin("POST", "/directory/users", {
          userPrincipalName: `${name}@contoso.example`,
          displayName: name,
        })
      ).json().id;
    }
    ids.outer = (await admin("POST", "/directory/groups", { displayName: "LinuxAdmins" })).json().id;
    ids.inner = (await admin("POST", "/directory/groups", { displayName: "Oncall" })).json().id;
    await admin("POST", `/directory/groups/${ids.outer}/members`, { memberId: ids.inner });
    await admin("POST", `/directory/groups/${ids.inner}/members`, { memberId: ids.nested });
    const sp = (await admin("POST", "/directory/servicePrincipals", { displayName: "deployer" })).json();
    ids.sp = sp.id;
    ids.appId = sp.appId;
    await admin("PUT", rg, { location: "local" });
    await admin("PUT", vm, { image: "debian-12", adminUsername: "localadmin" });
    const assign = (role: string, assignee: string) =>
      admin("PUT", `/providers/Authorization/roleAssignments/${randomUUID()}`, { role, assignee });
    assert.equal((await assign("User Access Administrator", ids.uaa as string)).statusCode, 201);
    assert.equal((await assign("Contributor", "contrib@contoso.example")).statusCode, 201);
  });
  after(() => s.close());

  const assignAt = async (who: string, role: string, assignee: string) =>
    s.app.inject({
      method: "PUT",
      url: `${vm}/providers/Authorization/roleAssignments/${randomUUID()}`,
      headers: await s.as(who),
      payload: { role, assignee },
    });
  const canLogin = async (who: string, type: "user" | "servicePrincipal" = "user", admin = false) => {
    const action = admin
      ? "Compute/virtualMachines/loginAsAdmin/action"
      : "Compute/virtualMachines/login/action";
    const r = await s.app.inject({
      method: "POST",
      url: `${vm}/providers/Authorization/checkAccess`,
      headers: await s.as(who, type),
      payload: { action },
    });
    assert.equal(r.statusCode, 200, r.body);
    return r.json().allowed as boolean;
  };

  it("a Contributor cannot create a role assignment; a User Access Administrator can", async () => {
    const refused = await assignAt(
      ids.contrib as string,
      "Virtual Machine User Login",
      "outsider@contoso.example",
    );
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().error.code, "ERR_AUTHORIZATION_FAILED");
    assert.equal(await canLogin(ids.outsider as string), false);
    assert.equal(await canLogin(ids.contrib as string), false, "Contributor never grants login");
    const made = await assignAt(ids.uaa as string, "Virtual Machine User Login", "outsider@contoso.example");
    assert.equal(made.statusCode, 201, made.body);
    assert.equal(await canLogin(ids.outsider as string), true);
    assert.equal(await canLogin(ids.outsider as string, "user", true), false);
  });

  it("takes the assignee as an app id and as a group object id (nested groups inherit)", async () => {
    assert.equal(
      (await assignAt(s.boot.adminId, "Virtual Machine User Login", ids.appId as string)).statusCode,
      201,
    );
    assert.equal(await canLogin(ids.sp as string, "servicePrincipal"), true);
    const group = await assignAt(s.boot.adminId, "Virtual Machine Administrator Login", ids.outer as string);
    assert.equal(group.statusCode, 201, group.body);
    assert.equal(group.json().principalType, "Group");
    assert.equal(await canLogin(ids.nested as string, "user", true), true);
  });

  it("an unknown assignee is 404, a token naming a group is refused", async () => {
    const unknown = await assignAt(s.boot.adminId, "Reader", randomUUID());
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error.code, "ERR_DIRECTORY_PRINCIPAL_NOT_FOUND");
    const asGroup = await s.app.inject({
      method: "GET",
      url: "/me",
      headers: await s.as(ids.outer as string),
    });
    assert.equal(asGroup.statusCode, 401);
    const wrongTenant = await s.app.inject({
      method: "GET",
      url: "/me",
      headers: {
        authorization: `Bearer ${await s.token({ objectId: s.boot.adminId, tenantId: randomUUID(), type: "user" })}`,
      },
    });
    assert.equal(wrongTenant.statusCode, 401);
  });

  it("lists role definitions with the seed's built-ins and their login data actions", async () => {
    const list = await s.app.inject({
      method: "GET",
      url: "/providers/Authorization/roleDefinitions?roleName=Virtual%20Machine%20Administrator%20Login",
      headers: s.admin,
    });
    assert.equal(list.statusCode, 200, list.body);
    const [role] = list.json().value;
    assert.equal(role.name, "1c0163c0-47e6-4577-8991-ea5c82e286e4");
    assert.ok(role.permissions[0].dataActions.includes("Compute/virtualMachines/loginAsAdmin/action"));
  });

  it("creates and deletes a custom role with wildcard data actions", async () => {
    const id = randomUUID();
    const url = `/providers/Authorization/roleDefinitions/${id}`;
    const scope = `/subscriptions/${s.boot.subscriptionId}`;
    const body = {
      roleName: "Login Everywhere",
      permissions: [{ dataActions: ["Compute/*/login/action"] }],
      assignableScopes: [scope],
    };
    const put = await s.app.inject({ method: "PUT", url, headers: s.admin, payload: body });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal(put.json().roleType, "CustomRole");
    const byContrib = await s.app.inject({
      method: "DELETE",
      url,
      headers: await s.as(ids.contrib as string),
    });
    assert.equal(byContrib.statusCode, 403);
    assert.equal((await s.app.inject({ method: "DELETE", url, headers: s.admin })).statusCode, 200);
    assert.equal((await s.app.inject({ method: "GET", url, headers: s.admin })).statusCode, 404);
  });
});
