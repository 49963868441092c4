import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BUILT_IN_ROLE_IDS,
  LOGIN_ACTION,
  LOGIN_AS_ADMIN_ACTION,
  SCALE_SET_LOGIN_ACTION,
  SCALE_SET_LOGIN_AS_ADMIN_ACTION,
} from "./built-in-roles.ts";
import { checkLogin } from "./check-login.ts";
import { InvalidScopeError } from "./errors.ts";
import { fixture, MG_A, MG_ROOT, SUB1, SUB2, TENANT, user, vm } from "./lib/rbac-fixture.ts";
import { loginDataAction } from "./login-action.ts";
import { RbacEngine } from "./rbac-engine.ts";
import { parseScope } from "./scope.ts";

const USER_LOGIN = "Virtual Machine User Login";
const ADMIN_LOGIN = "Virtual Machine Administrator Login";

describe("RbacEngine.check", () => {
  it("inherits from a management group two levels above the subscription", async () => {
    const f = await fixture();
    const a = await f.assign(USER_LOGIN, "alice", MG_A);
    const r = await f.engine.check(user("alice"), LOGIN_ACTION, vm("rg1", "vm1"));
    assert.equal(r.allowed, true);
    assert.equal(r.grantedBy?.assignmentId, a.id);
    assert.equal(r.grantedBy?.scope, MG_A);
    // sub2 hangs directly under the root, not under mg-a
    assert.equal(
      (await f.engine.check(user("alice"), LOGIN_ACTION, vm("rg1", "vm1", "sub2"))).allowed,
      false,
    );
  });

  it("gives nothing to a sibling resource group or a name-prefix sibling", async () => {
    const f = await fixture();
    await f.assign(USER_LOGIN, "alice", `${SUB1}/resourceGroups/rg1`);
    assert.equal((await f.engine.check(user("alice"), LOGIN_ACTION, vm("rg1", "vm1"))).allowed, true);
    assert.equal((await f.engine.check(user("alice"), LOGIN_ACTION, vm("rg2", "vm1"))).allowed, false);
    assert.equal((await f.engine.check(user("alice"), LOGIN_ACTION, vm("rg10", "vm1"))).allowed, false);
    assert.equal(
      (await f.engine.check(user("alice"), LOGIN_ACTION, `${SUB1}/resourceGroups/rg10`)).allowed,
      false,
    );
  });

  it("compares scopes, namespaces and operations case-insensitively", async () => {
    const f = await fixture();
    await f.assign(
      USER_LOGIN,
      "alice",
      "/SUBSCRIPTIONS/Sub1/resourcegroups/RG1/providers/compute/VirtualMachines/VM1",
    );
    const id = "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1";
    assert.equal((await f.engine.check(user("alice"), LOGIN_ACTION, id)).allowed, true);
    assert.equal(
      (await f.engine.check(user("alice"), "microsoft.compute/VIRTUALMACHINES/LOGIN/action", id)).allowed,
      true,
    );
    assert.equal((await f.engine.check(user("alice"), LOGIN_ACTION, vm("rg1", "vm10"))).allowed, false);
  });

  it("follows nested groups three levels deep and names the group", async () => {
    const f = await fixture();
    f.memberOf.set("alice", ["g1"]);
    f.memberOf.set("g1", ["g2"]);
    f.memberOf.set("g2", ["g3"]);
    const a = await f.assign(ADMIN_LOGIN, "g3", `${SUB1}/resourceGroups/rg1`, "Group");
    const r = await f.engine.check(user("alice"), LOGIN_AS_ADMIN_ACTION, vm("rg1", "vm1"));
    assert.equal(r.allowed, true);
    assert.equal(r.grantedBy?.assignmentId, a.id);
    assert.equal(r.grantedBy?.via, "g3");
    assert.equal((await f.engine.check(user("bob"), LOGIN_AS_ADMIN_ACTION, vm("rg1", "vm1"))).allowed, false);
    f.memberOf.set("g2", []); // the directory removed g2 from g3: no grant any more
    assert.equal(
      (await f.engine.check(user("alice"), LOGIN_AS_ADMIN_ACTION, vm("rg1", "vm1"))).allowed,
      false,
    );
  });

  it("never grants a login through Owner or Contributor", async () => {
    const f = await fixture();
    await f.assign("Owner", "olga", MG_ROOT);
    await f.assign("Contributor", "carl", SUB1);
    await f.assign("Virtual Machine Contributor", "vera", SUB1);
    const ss = `${SUB1}/resourceGroups/rg1/providers/Compute/virtualMachineScaleSets/ss1/virtualMachines/0`;
    for (const who of ["olga", "carl", "vera"]) {
      for (const op of [LOGIN_ACTION, LOGIN_AS_ADMIN_ACTION]) {
        assert.equal((await f.engine.check(user(who), op, vm("rg1", "vm1"))).allowed, false, `${who} ${op}`);
      }
      for (const op of [SCALE_SET_LOGIN_ACTION, SCALE_SET_LOGIN_AS_ADMIN_ACTION]) {
        assert.equal((await f.engine.check(user(who), op, ss)).allowed, false, `${who} ${op}`);
      }
      assert.equal(
        (await f.engine.check(user(who), "Compute/virtualMachines/write", vm("rg1", "vm1"))).allowed,
        true,
      );
    }
    const write = "Authorization/roleAssignments/write";
    assert.equal((await f.engine.check(user("olga"), write, SUB1)).allowed, true);
    assert.equal((await f.engine.check(user("carl"), write, SUB1)).allowed, false);
  });

  it("gives User Login a shell but not admin, and Administrator Login both", async () => {
    const f = await fixture();
    await f.assign(USER_LOGIN, "ulla", SUB1);
    await f.assign(BUILT_IN_ROLE_IDS.virtualMachineAdministratorLogin, "adam", SUB1);
    const id = vm("rg1", "vm1");
    assert.equal((await f.engine.check(user("ulla"), LOGIN_ACTION, id)).allowed, true);
    assert.equal((await f.engine.check(user("ulla"), LOGIN_AS_ADMIN_ACTION, id)).allowed, false);
    assert.equal((await f.engine.check(user("ulla"), "Compute/virtualMachines/read", id)).allowed, true);
    assert.equal((await f.engine.check(user("ulla"), "Compute/virtualMachines/write", id)).allowed, false);
    assert.equal((await f.engine.check(user("adam"), LOGIN_AS_ADMIN_ACTION, id)).allowed, true);
  });

  it("decides admin, user or no login in one call", async () => {
    const f = await fixture();
    await f.assign(USER_LOGIN, "ulla", SUB1);
    await f.assign(ADMIN_LOGIN, "adam", vm("rg1", "vm1"));
    await f.assign("Owner", "olga", SUB1);
    const id = vm("rg1", "vm1");
    const adam = await checkLogin(f.engine, user("adam"), id);
    assert.deepEqual([adam.allowed, adam.admin, adam.grantedBy?.roleName], [true, true, ADMIN_LOGIN]);
    const ulla = await checkLogin(f.engine, user("ulla"), id);
    assert.deepEqual([ulla.allowed, ulla.admin, ulla.grantedBy?.roleName], [true, false, USER_LOGIN]);
    const olga = await checkLogin(f.engine, user("olga"), id);
    assert.deepEqual([olga.allowed, olga.admin], [false, false]);
    assert.equal((await checkLogin(f.engine, user("adam"), vm("rg1", "vm2"))).allowed, false);
  });

  it("lets a scale-set assignment cover its instances but not a prefix sibling", async () => {
    const f = await fixture();
    const ss = (name: string) =>
      `${SUB1}/resourceGroups/rg1/providers/Compute/virtualMachineScaleSets/${name}`;
    await f.assign(ADMIN_LOGIN, "alice", ss("ss1"));
    const inst = `${ss("ss1")}/virtualMachines/0`;
    assert.equal(loginDataAction(inst, true), SCALE_SET_LOGIN_AS_ADMIN_ACTION);
    assert.equal(loginDataAction(vm("rg1", "vm1"), false), LOGIN_ACTION);
    assert.equal((await f.engine.check(user("alice"), loginDataAction(inst, true), inst)).allowed, true);
    const other = `${ss("ss10")}/virtualMachines/0`;
    assert.equal((await f.engine.check(user("alice"), loginDataAction(other, true), other)).allowed, false);
  });

  it("explains which assignment granted access, and why not when denied", async () => {
    const f = await fixture();
    f.memberOf.set("alice", ["ops"]);
    const a = await f.assign(USER_LOGIN, "ops", SUB1, "Group");
    const r = await f.engine.check(user("alice"), LOGIN_ACTION, vm("rg1", "vm1"));
    assert.deepEqual(r.grantedBy, {
      assignmentId: a.id,
      roleDefinitionId: BUILT_IN_ROLE_IDS.virtualMachineUserLogin,
      roleName: USER_LOGIN,
      scope: SUB1,
      principalId: "ops",
      via: "ops",
    });
    assert.match(r.reason, new RegExp(a.id));
    assert.match(r.reason, /Virtual Machine User Login/);
    const d = await f.engine.check(user("alice"), LOGIN_AS_ADMIN_ACTION, vm("rg1", "vm1"));
    assert.equal(d.grantedBy, undefined);
    assert.match(d.reason, /no role assignment grants data action/);
  });

  it("honours service principals, managed identities and the root scope", async () => {
    const f = await fixture();
    await f.assign(USER_LOGIN, "app-1", SUB2, "ServicePrincipal");
    await f.assign("Reader", "mi-1", "/", "ManagedIdentity");
    const sp = { id: "app-1", type: "ServicePrincipal" } as const;
    const mi = { id: "mi-1", type: "ManagedIdentity" } as const;
    assert.equal((await f.engine.check(sp, LOGIN_ACTION, vm("rg", "x", "sub2"))).allowed, true);
    assert.equal((await f.engine.check(sp, LOGIN_ACTION, vm("rg", "x", "sub1"))).allowed, false);
    assert.equal((await f.engine.check(mi, "Compute/virtualMachines/read", vm("rg", "x"))).allowed, true);
    assert.equal((await f.engine.check(mi, LOGIN_ACTION, vm("rg", "x"))).allowed, false);
  });

  it("accepts management-group ancestry in any order, with the scope itself and the root listed", async () => {
    const f = await fixture();
    const engine = await RbacEngine.open({
      repository: f.repository,
      tenantId: TENANT,
      groups: () => [],
      ancestry: (_t, scope) => ["/", MG_ROOT, MG_A, scope],
    });
    const a = await f.assign(USER_LOGIN, "alice", MG_A);
    await engine.sync();
    const keys = await engine.ancestorKeys(parseScope(vm("rg1", "vm1")));
    assert.equal(new Set(keys).size, keys.length);
    assert.equal(keys.at(-1), "/");
    assert.equal(
      (await engine.check(user("alice"), LOGIN_ACTION, vm("rg1", "vm1"))).grantedBy?.assignmentId,
      a.id,
    );
  });

  it("rejects malformed resource ids", async () => {
    const f = await fixture();
    for (const bad of [
      "",
      "subscriptions/sub1",
      "/subscriptions/sub1/",
      "/subscriptions//resourceGroups/rg1",
      "/subscriptions/sub1/resourceGroups/..",
      "/subscriptions/sub1/resourceGroups/rg1%2F..",
      "/subscriptions/sub1/resourceGroups/rg 1",
      "/subscriptions/sub1/resourceGroups/rg1/providers/Compute/virtualMachines",
      "/subscriptions/sub1/other/x",
    ]) {
      await assert.rejects(f.engine.check(user("a"), LOGIN_ACTION, bad), InvalidScopeError, bad);
    }
  });
});
