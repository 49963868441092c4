import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SYSTEM_ACTOR } from "./actor.ts";
import { LOGIN_ACTION, LOGIN_AS_ADMIN_ACTION, ROLE_ASSIGNMENT_WRITE } from "./built-in-roles.ts";
import { createRoleAssignment } from "./create-role-assignment.ts";
import { deleteCustomRole } from "./delete-custom-role.ts";
import { deleteRoleAssignment } from "./delete-role-assignment.ts";
import {
  AuthorizationFailedError,
  InvalidRoleInputError,
  RoleAssignmentExistsError,
  RoleDefinitionConflictError,
  RoleDefinitionNotFoundError,
  ScopeNotAssignableError,
} from "./errors.ts";
import { fixture, MG_B, SUB1, SUB2, user, vm } from "./lib/rbac-fixture.ts";
import { putCustomRole } from "./put-custom-role.ts";

const RG1 = `${SUB1}/resourceGroups/rg1`;

describe("role assignments", () => {
  it("lets only Owner and User Access Administrator assign roles", async () => {
    const f = await fixture();
    await f.assign("Owner", "olga", SUB1);
    await f.assign("User Access Administrator", "uma", RG1);
    await f.assign("Contributor", "carl", SUB1);
    const input = {
      role: "Virtual Machine User Login",
      principalType: "User",
      scope: vm("rg1", "vm1"),
    } as const;
    await createRoleAssignment(f.engine, user("olga"), { ...input, principalId: "p1" });
    await createRoleAssignment(f.engine, user("uma"), { ...input, principalId: "p2" });
    const err = await createRoleAssignment(f.engine, user("carl"), { ...input, principalId: "p3" }).catch(
      (e) => e,
    );
    assert.ok(err instanceof AuthorizationFailedError);
    assert.equal(err.code, "ERR_AUTHORIZATION_FAILED");
    assert.equal(err.kind, "forbidden");
    assert.match(err.message, /Authorization\/roleAssignments\/write/);
    assert.match(err.message, /virtualMachines\/vm1/);
    // UAA at rg1 cannot assign in rg2
    await assert.rejects(
      createRoleAssignment(f.engine, user("uma"), { ...input, principalId: "p4", scope: vm("rg2", "vm1") }),
      AuthorizationFailedError,
    );
    assert.equal((await f.engine.check(user("p3"), LOGIN_ACTION, vm("rg1", "vm1"))).allowed, false);
    await assert.rejects(
      f.engine.authorize(user("carl"), ROLE_ASSIGNMENT_WRITE, SUB1),
      AuthorizationFailedError,
    );
    assert.equal((await f.engine.authorize(user("olga"), ROLE_ASSIGNMENT_WRITE, RG1)).allowed, true);
  });

  it("refuses duplicates, unknown roles, bad principals; deletes need delete rights", async () => {
    const f = await fixture();
    const a = await f.assign("Reader", "alice", RG1);
    await assert.rejects(
      f.assign("reader", "alice", `${SUB1}/RESOURCEGROUPS/RG1`),
      RoleAssignmentExistsError,
    );
    await assert.rejects(f.assign("No Such Role", "alice", RG1), RoleDefinitionNotFoundError);
    const sameId = { role: "Reader", principalId: "bob", principalType: "User", scope: RG1 } as const;
    await assert.rejects(
      createRoleAssignment(f.engine, SYSTEM_ACTOR, sameId, { newId: () => a.id }),
      RoleAssignmentExistsError,
    );
    await assert.rejects(f.assign("Reader", "a b", RG1), InvalidRoleInputError);
    await assert.rejects(deleteRoleAssignment(f.engine, user("alice"), a.id), AuthorizationFailedError);
    await deleteRoleAssignment(f.engine, SYSTEM_ACTOR, a.id);
    await assert.rejects(deleteRoleAssignment(f.engine, SYSTEM_ACTOR, a.id), /does not exist/);
  });

  it("has no cap on assignments per scope", async () => {
    const f = await fixture();
    for (let i = 0; i < 5000; i++) await f.assign("Reader", `u${i}`, SUB1);
    assert.equal(f.engine.assignmentCount, 5000);
    assert.equal(
      (await f.engine.check(user("u4999"), "Compute/virtualMachines/read", vm("rg", "v"))).allowed,
      true,
    );
  });
});

describe("custom roles", () => {
  const loginNoAdmin = {
    name: "Login but not admin",
    permissions: {
      actions: ["Compute/virtualMachines/read"],
      dataActions: ["Compute/virtualMachines/*"],
      notDataActions: ["Compute/virtualMachines/loginAsAdmin/action"],
    },
    assignableScopes: [MG_B],
  };

  it("applies wildcard dataActions minus notDataActions", async () => {
    const f = await fixture();
    const role = await putCustomRole(f.engine, SYSTEM_ACTOR, loginNoAdmin);
    await f.assign(role.id, "alice", SUB1);
    const r = await f.engine.check(user("alice"), LOGIN_ACTION, vm("rg1", "vm1"));
    assert.equal(r.allowed, true);
    assert.equal(r.grantedBy?.roleName, "Login but not admin");
    assert.equal(
      (await f.engine.check(user("alice"), LOGIN_AS_ADMIN_ACTION, vm("rg1", "vm1"))).allowed,
      false,
    );
    // a wildcard in dataActions does not leak into control-plane actions
    assert.equal(
      (await f.engine.check(user("alice"), "Compute/virtualMachines/write", vm("rg1", "v"))).allowed,
      false,
    );
  });

  it("is assignable only within its assignable scopes (management groups included)", async () => {
    const f = await fixture();
    const role = await putCustomRole(f.engine, SYSTEM_ACTOR, loginNoAdmin);
    await f.assign(role.name, "alice", vm("rg1", "vm1")); // sub1 is under mg-b
    await assert.rejects(f.assign(role.name, "alice", SUB2), ScopeNotAssignableError);
    await assert.rejects(f.assign(role.name, "alice", "/"), ScopeNotAssignableError);
  });

  it("validates names, patterns and scopes", async () => {
    const f = await fixture();
    const bad = [
      { ...loginNoAdmin, name: "Owner" },
      { ...loginNoAdmin, name: "" },
      { ...loginNoAdmin, assignableScopes: [] },
      { ...loginNoAdmin, assignableScopes: ["/"] },
      { ...loginNoAdmin, assignableScopes: ["/subscriptions/../x"] },
      { ...loginNoAdmin, permissions: { actions: ["Compute/ virtualMachines"] } },
      { ...loginNoAdmin, permissions: { actions: "*" } },
      { ...loginNoAdmin, permissions: {} },
    ];
    for (const input of bad) {
      // biome-ignore lint/suspicious/noExplicitAny: hostile input on purpose
      await assert.rejects(putCustomRole(f.engine, SYSTEM_ACTOR, input as any), JSON.stringify(input));
    }
    await putCustomRole(f.engine, SYSTEM_ACTOR, loginNoAdmin);
    await assert.rejects(
      putCustomRole(f.engine, SYSTEM_ACTOR, { ...loginNoAdmin, name: "LOGIN BUT NOT ADMIN" }),
      RoleDefinitionConflictError,
    );
  });

  it("cannot be deleted while assigned or narrowed so that assignments fall outside", async () => {
    const f = await fixture();
    const role = await putCustomRole(f.engine, SYSTEM_ACTOR, loginNoAdmin);
    const a = await f.assign(role.id, "alice", SUB1);
    await assert.rejects(deleteCustomRole(f.engine, SYSTEM_ACTOR, role.id), RoleDefinitionConflictError);
    await assert.rejects(
      putCustomRole(f.engine, SYSTEM_ACTOR, { ...loginNoAdmin, assignableScopes: [RG1] }, { id: role.id }),
      RoleDefinitionConflictError,
    );
    await assert.rejects(
      deleteCustomRole(f.engine, SYSTEM_ACTOR, "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
      /built-in/,
    );
    await deleteRoleAssignment(f.engine, SYSTEM_ACTOR, a.id);
    await deleteCustomRole(f.engine, SYSTEM_ACTOR, role.id);
    assert.equal(f.engine.resolveRole(role.name), undefined);
  });

  it("needs roleDefinitions/write at its assignable scopes", async () => {
    const f = await fixture();
    await f.assign("Contributor", "carl", MG_B);
    await assert.rejects(putCustomRole(f.engine, user("carl"), loginNoAdmin), AuthorizationFailedError);
    await f.assign("Owner", "olga", MG_B);
    const role = await putCustomRole(f.engine, user("olga"), loginNoAdmin);
    assert.equal(role.createdBy, "olga");
  });
});
