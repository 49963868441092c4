import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SYSTEM_ACTOR } from "./actor.ts";
import { LOGIN_ACTION } from "./built-in-roles.ts";
import { deleteRoleAssignment } from "./delete-role-assignment.ts";
import { fixture, SUB1, TENANT, user, vm } from "./lib/rbac-fixture.ts";
import { RbacEngine } from "./rbac-engine.ts";

const USER_LOGIN = "Virtual Machine User Login";

describe("RbacEngine freshness", () => {
  it("makes a deleted assignment stop granting at once, on this and (after sync) other replicas", async () => {
    const f = await fixture();
    const replica = await f.openReplica();
    const a = await f.assign(USER_LOGIN, "alice", vm("rg1", "vm1"));
    await replica.sync();
    assert.equal((await replica.check(user("alice"), LOGIN_ACTION, vm("rg1", "vm1"))).allowed, true);
    await deleteRoleAssignment(f.engine, SYSTEM_ACTOR, a.id);
    assert.equal((await f.engine.check(user("alice"), LOGIN_ACTION, vm("rg1", "vm1"))).allowed, false);
    await replica.sync();
    assert.equal((await replica.check(user("alice"), LOGIN_ACTION, vm("rg1", "vm1"))).allowed, false);
    assert.equal(f.engine.assignmentCount, 0);
  });

  it("reloads from a snapshot when the store pruned changes it never saw", async () => {
    const f = await fixture();
    const replica = await f.openReplica();
    const a = await f.assign(USER_LOGIN, "alice", SUB1);
    await f.assign(USER_LOGIN, "bob", SUB1);
    await deleteRoleAssignment(f.engine, SYSTEM_ACTOR, a.id);
    await f.assign(USER_LOGIN, "carol", SUB1);
    f.repository.pruneChanges(TENANT, f.engine.version - 1);
    await replica.sync();
    assert.equal(replica.version, f.engine.version);
    assert.equal(replica.assignmentCount, 2);
    assert.equal((await replica.check(user("alice"), LOGIN_ACTION, vm("rg1", "vm1"))).allowed, false);
    assert.equal((await replica.check(user("bob"), LOGIN_ACTION, vm("rg1", "vm1"))).allowed, true);
  });

  it("syncs before a check when maxStalenessMs says so", async () => {
    const f = await fixture();
    const eager = await RbacEngine.open({
      repository: f.repository,
      tenantId: TENANT,
      groups: () => [],
      ancestry: () => [],
      maxStalenessMs: 0,
    });
    const a = await f.assign(USER_LOGIN, "alice", SUB1);
    assert.equal((await eager.check(user("alice"), LOGIN_ACTION, vm("rg1", "vm1"))).allowed, true);
    await deleteRoleAssignment(f.engine, SYSTEM_ACTOR, a.id);
    assert.equal((await eager.check(user("alice"), LOGIN_ACTION, vm("rg1", "vm1"))).allowed, false);
  });

  it("recovers after a failed sync", async () => {
    const f = await fixture();
    const replica = await f.openReplica();
    await f.assign(USER_LOGIN, "alice", SUB1);
    const real = f.repository.changesSince.bind(f.repository);
    f.repository.changesSince = async () => {
      throw new Error("store down");
    };
    await assert.rejects(replica.sync(), /store down/);
    f.repository.changesSince = real;
    await replica.sync();
    assert.equal((await replica.check(user("alice"), LOGIN_ACTION, vm("rg1", "vm1"))).allowed, true);
  });
});
