import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { HostLogin } from "../shared/host-protocol.ts";
import { SYSTEM_ACTOR } from "./actor.ts";
import { deleteRoleAssignment } from "./delete-role-assignment.ts";
import {
  computeHostLogins,
  type HostLoginDelta,
  HostLoginIndex,
  type LoginCandidate,
} from "./host-logins.ts";
import { fixture, MG_A, TENANT, vm } from "./lib/rbac-fixture.ts";

const ADMIN = "Virtual Machine Administrator Login";
const USER = "Virtual Machine User Login";

async function world() {
  const f = await fixture();
  const principals = new Map<string, LoginCandidate>();
  const members = new Map<string, string[]>();
  let uid = 100_000;
  const account = (id: string, kind: "user" | "servicePrincipal" = "user") => {
    principals.set(id, { id, kind, displayName: id, enabled: true, linuxName: id, uid: uid++ });
    return id;
  };
  const group = (id: string) => {
    principals.set(id, { id, kind: "group", displayName: id, enabled: true });
    return id;
  };
  const join = (groupId: string, memberId: string) => {
    members.set(groupId, [...(members.get(groupId) ?? []), memberId]);
    f.memberOf.set(memberId, [...(f.memberOf.get(memberId) ?? []), groupId]);
    f.repository.recordOther(TENANT, { kind: "membership.added", groupId, memberId });
  };
  const leave = (groupId: string, memberId: string) => {
    members.set(
      groupId,
      (members.get(groupId) ?? []).filter((m) => m !== memberId),
    );
    f.memberOf.set(
      memberId,
      (f.memberOf.get(memberId) ?? []).filter((g) => g !== groupId),
    );
    f.repository.recordOther(TENANT, { kind: "membership.removed", groupId, memberId });
  };
  const setEnabled = (id: string, enabled: boolean) => {
    const p = principals.get(id) as LoginCandidate;
    principals.set(id, { ...p, enabled });
    f.repository.recordOther(TENANT, { kind: "principal.put", principal: { ...p, enabled } });
  };
  const directory = {
    principals: async (ids: readonly string[]) =>
      ids.map((id) => principals.get(id)).filter((p): p is LoginCandidate => p !== undefined),
    members: async (groupId: string) => members.get(groupId) ?? [],
  };
  const levels = async (machineId: string) =>
    Object.fromEntries(
      [...(await computeHostLogins(f.engine, directory, machineId)).values()].map((l) => [
        l.linuxName,
        l.level,
      ]),
    );
  return { f, account, group, join, leave, setEnabled, directory, levels };
}

/** A HostLoginIndex following the world's engine, with the deltas it produced. */
async function followed(w: Awaited<ReturnType<typeof world>>) {
  const deltas: HostLoginDelta[] = [];
  const index = new HostLoginIndex({
    engine: w.f.engine,
    directory: w.directory,
    onDelta: (d) => deltas.push(d),
    onError: (e) => assert.fail(String(e)),
  });
  await w.f.engine.follow(index);
  return { deltas, index };
}

describe("who may log in to a machine", () => {
  it("through nested groups and inherited scopes, at the level of the strongest role; Owner never", async () => {
    const w = await world();
    const alice = w.account("alice");
    const bob = w.account("bob");
    const carol = w.account("carol");
    const dave = w.account("dave", "servicePrincipal");
    const outer = w.group("outer");
    const inner = w.group("inner");
    w.join(outer, inner);
    w.join(inner, bob);
    await w.f.engine.sync();
    await w.f.assign(ADMIN, alice, vm("rg1", "vm1"));
    await w.f.assign(USER, outer, "/subscriptions/sub1/resourceGroups/rg1", "Group");
    await w.f.assign("Owner", carol, "/subscriptions/sub1");
    await w.f.assign(USER, dave, MG_A, "ServicePrincipal"); // management group above sub1
    assert.deepEqual(await w.levels(vm("rg1", "vm1")), { alice: "admin", bob: "user", dave: "user" });
    assert.deepEqual(await w.levels(vm("rg2", "vm9")), { dave: "user" });
    assert.deepEqual(await w.levels(vm("rg1", "vm1", "sub2")), {});
  });

  it("honours a scale-set scope for its instances", async () => {
    const w = await world();
    const erin = w.account("erin");
    const set = "/subscriptions/sub1/resourceGroups/rg1/providers/Compute/virtualMachineScaleSets/ss";
    await w.f.assign(ADMIN, erin, set);
    assert.deepEqual(await w.levels(`${set}/virtualMachines/3`), { erin: "admin" });
    assert.deepEqual(await w.levels(vm("rg1", "other")), {});
  });

  it("follows the change log: a demotion, a disabled user, a membership removed, only for what changed", async () => {
    const w = await world();
    const alice = w.account("alice");
    const bob = w.account("bob");
    const team = w.group("team");
    w.join(team, alice);
    w.join(team, bob);
    const { deltas, index } = await followed(w);
    const machine = vm("rg1", "vm1");
    const settle = async () => {
      await w.f.engine.sync();
      await index.idle();
    };
    assert.deepEqual((await index.watch(machine)).logins, []);
    const admin = await w.f.assign(ADMIN, alice, machine);
    await w.f.assign(USER, team, "/subscriptions/sub1", "Group");
    await settle();
    const levels = () =>
      Object.fromEntries((index.logins(machine) ?? []).map((l: HostLogin) => [l.linuxName, l.level]));
    assert.deepEqual(levels(), { alice: "admin", bob: "user" });
    deltas.length = 0;
    await deleteRoleAssignment(w.f.engine, SYSTEM_ACTOR, admin.id); // demotion: still a user through the team
    await settle();
    assert.deepEqual(levels(), { alice: "user", bob: "user" });
    assert.deepEqual(
      deltas.map((d) => ({ up: d.upsert.map((l) => `${l.linuxName}:${l.level}`), rm: d.remove })),
      [{ up: ["alice:user"], rm: [] }],
    );
    deltas.length = 0;
    // an assignment made and removed on another machine changes nothing here
    const elsewhere = await w.f.assign(ADMIN, bob, vm("rg2", "vm2"));
    await settle();
    await deleteRoleAssignment(w.f.engine, SYSTEM_ACTOR, elsewhere.id);
    await settle();
    assert.equal(deltas.length, 0, JSON.stringify(deltas));
    w.setEnabled(bob, false);
    await settle();
    assert.deepEqual(levels(), { alice: "user" });
    assert.deepEqual(
      deltas.map((d) => d.remove),
      [[bob]],
    );
    w.setEnabled(bob, true);
    await settle();
    assert.deepEqual(levels(), { alice: "user", bob: "user" });
    w.leave(team, alice);
    await settle();
    assert.deepEqual(levels(), { bob: "user" });
    assert.ok(deltas.every((d) => d.machineKey === machine.toLowerCase()));
    assert.ok(deltas.every((d, i) => i === 0 || d.version > (deltas[i - 1] as HostLoginDelta).version));
    index.unwatch(machine);
    assert.equal(index.logins(machine), undefined);
  });

  it("an assignment moves only its principal or a group's members, below its scope, as a full recomputation would", async () => {
    const w = await world();
    const [alice, bob, carol, dave] = ["alice", "bob", "carol", "dave"].map((n) => w.account(n));
    const sp = w.account("deploy", "servicePrincipal");
    const outer = w.group("outer");
    const inner = w.group("inner");
    w.join(outer, inner);
    w.join(inner, carol as string);
    w.join(outer, bob as string);
    const { deltas, index } = await followed(w);
    const machines = [vm("rg1", "vm1"), vm("rg1", "vm3"), vm("rg2", "vm2")];
    for (const m of machines) await index.watch(m);
    await w.f.assign(ADMIN, dave as string, machines[0] as string);
    await w.f.assign(USER, alice as string, "/subscriptions/sub1");
    const step = async (change: () => Promise<unknown>) => {
      await w.f.engine.sync();
      await index.idle();
      deltas.length = 0;
      await change();
      await w.f.engine.sync();
      await index.idle();
      for (const m of machines) {
        const kept = Object.fromEntries((index.logins(m) ?? []).map((l) => [l.linuxName, l.level]));
        assert.deepEqual(kept, await w.levels(m), m);
      }
      return deltas.map((d) => ({
        machine: d.machineKey.split("/").pop(),
        names: [...d.upsert.map((l) => l.linuxName), ...d.remove].sort(),
      }));
    };
    let groupRole: { id: string } | undefined;
    // a nested group's role at rg1: its members on rg1's machines, nobody else anywhere
    assert.deepEqual(
      await step(async () => {
        groupRole = await w.f.assign(ADMIN, outer, "/subscriptions/sub1/resourceGroups/rg1", "Group");
      }),
      [
        { machine: "vm1", names: ["bob", "carol"] },
        { machine: "vm3", names: ["bob", "carol"] },
      ],
    );
    // a service principal at the subscription: every machine, only it
    let spRole: { id: string } | undefined;
    assert.deepEqual(
      await step(async () => {
        spRole = await w.f.assign(USER, sp as string, "/subscriptions/sub1", "ServicePrincipal");
      }),
      machines.map((m) => ({ machine: m.split("/").pop(), names: ["deploy"] })),
    );
    // the machines share one login object (so the host channel serialises its patch once)
    assert.equal(new Set(deltas.flatMap((d) => d.upsert)).size, 1);
    assert.equal(
      new Set(machines.map((m) => index.logins(m)?.find((l) => l.linuxName === "deploy"))).size,
      1,
    );
    // removed again
    assert.deepEqual(
      await step(() => deleteRoleAssignment(w.f.engine, SYSTEM_ACTOR, (groupRole as { id: string }).id)),
      [
        { machine: "vm1", names: ["bob", "carol"] },
        { machine: "vm3", names: ["bob", "carol"] },
      ],
    );
    assert.deepEqual(
      await step(() => deleteRoleAssignment(w.f.engine, SYSTEM_ACTOR, (spRole as { id: string }).id)),
      machines.map((m) => ({ machine: m.split("/").pop(), names: ["deploy"] })),
    );
    // a role that changes nobody's level (alice is already a user everywhere): no delta
    assert.deepEqual(
      await step(() => w.f.assign(USER, alice as string, "/subscriptions/sub1/resourceGroups/rg2")),
      [],
    );
  });
});
