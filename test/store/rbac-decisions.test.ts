/**
 * Access decisions from memory (issue 10 item 3), on the real stores:
 * - the engine that holds memberships and the management-group tree in memory decides exactly
 *   like the one that asks the store per check (recursive group closure, tree ancestry), on
 *   randomized small tenants and after random changes it only hears of through the change log;
 * - a decision made after a commit returns reflects it: a write through the server's own
 *   transaction, a write straight to the store, and a write by a second writer on the same
 *   SQLite file or PostgreSQL schema (another process, with its own connection: on PostgreSQL
 *   once its change notice arrived, with no head read per decision). An engine without
 *   `readLatest` is asked too, and is stale, so the test can tell;
 * - on PostgreSQL, while the notices are not trusted (listener down, no heartbeat heard lately)
 *   each decision reads the head and reflects the second writer's commit at once; a swallowed
 *   notice with the heartbeat alive leaves the engine stale (the control).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  addGroupMember,
  createGroup,
  createTenant,
  createUser,
  GroupCycleError,
  groupClosure,
  removeGroupMember,
  type Tenant,
} from "../../src/directory/index.ts";
import {
  BUILT_IN_ROLE_IDS,
  type CheckResult,
  LOGIN_ACTION,
  LOGIN_AS_ADMIN_ACTION,
  type PrincipalType,
  parseScope,
  RbacEngine,
  type RoleAssignment,
  scopeKey,
} from "../../src/rbac/index.ts";
import {
  createManagementGroup,
  createResourceGroup,
  createRootManagementGroup,
  createSubscription,
  managementGroupsAbove,
  moveUnderManagementGroup,
} from "../../src/resources/index.ts";
import { storeDecisionGraph } from "../../src/server/lib/decision-graph-source.ts";
import { wireServices } from "../../src/server/wire-services.ts";
import type { Store } from "../../src/store/index.ts";
import { prng } from "../helpers/prng.ts";
import { type SecondWriter, startSecondWriter } from "../helpers/second-writer.ts";
import type { WriterCommand } from "../helpers/second-writer-child.ts";
import { createTestDatabase, selectedDialects } from "./dialects.ts";

const ROLES = Object.values(BUILT_IN_ROLE_IDS);
const OPERATIONS = [
  LOGIN_ACTION,
  LOGIN_AS_ADMIN_ACTION,
  "Compute/virtualMachines/read",
  "Authorization/roleAssignments/write",
];

function assignment(tenantId: string, principalId: string, type: PrincipalType, scope: string, role: string) {
  return {
    id: randomUUID(),
    tenantId,
    roleDefinitionId: role,
    principalId,
    principalType: type,
    scope,
    createdAt: "2026-11-30T00:00:00.000Z",
    createdBy: "test",
    description: "",
  } satisfies RoleAssignment;
}

/** What must agree: the verdict and the scope of the nearest grant (the group order may differ). */
function verdict(r: CheckResult): string {
  return r.allowed ? `allowed at ${scopeKey(r.grantedBy?.scope ?? "")}` : "denied";
}

interface World {
  tenant: Tenant;
  rootMg: string;
  mgs: string[];
  subs: string[];
  scopes: string[];
  users: string[];
  groups: string[];
  assignments: RoleAssignment[];
}

/** A small random tenant: management groups up to 4 deep, subscriptions, groups, users, nested groups, assignments. */
async function buildWorld(store: Store, seed: number): Promise<World> {
  const rand = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[rand(list.length)] as T;
  const tenant = await createTenant(store.directory, { name: `t${seed}` });
  const root = await createRootManagementGroup(store.resources, { tenantId: tenant.id });
  const depth = new Map<string, number>([[root.id, 0]]);
  const mgs: string[] = [];
  for (let i = 0; i < 6; i++) {
    const parents = [root.id, ...mgs].filter((m) => (depth.get(m) ?? 0) < 4);
    const parentId = pick(parents);
    const mg = await createManagementGroup(store.resources, {
      tenantId: tenant.id,
      name: `mg${seed}-${i}`,
      parentId,
    });
    depth.set(mg.id, (depth.get(parentId) ?? 0) + 1);
    mgs.push(mg.id);
  }
  const subs: string[] = [];
  const rgs: string[] = [];
  const vms: string[] = [];
  for (let i = 0; i < 4; i++) {
    const sub = await createSubscription(store.resources, {
      tenantId: tenant.id,
      displayName: `sub ${i}`,
      managementGroupId: pick([root.id, ...mgs]),
    });
    subs.push(sub.id);
    const subscriptionId = sub.id.split("/")[2] as string;
    for (let j = 0; j < 2; j++) {
      const rg = await createResourceGroup(store.resources, {
        tenantId: tenant.id,
        subscriptionId,
        name: `rg${j}`,
        location: "local",
      });
      rgs.push(rg.id);
      vms.push(`${rg.id}/providers/Compute/virtualMachines/vm${j}`);
      vms.push(`${rg.id}/providers/Compute/virtualMachineScaleSets/ss${j}/virtualMachines/${i}`);
    }
  }
  // A subscription the tree does not hold: both engines see no management groups above it.
  const stray = `/subscriptions/${randomUUID()}/resourceGroups/x/providers/Compute/virtualMachines/y`;
  const users: string[] = [];
  for (let i = 0; i < 8; i++) {
    const u = await createUser(store.directory, {
      tenantId: tenant.id,
      upn: `u${i}@t${seed}.example`,
      displayName: `user ${i}`,
    });
    users.push(u.id);
  }
  const groups: string[] = [];
  for (let i = 0; i < 6; i++)
    groups.push((await createGroup(store.directory, { tenantId: tenant.id, displayName: `g${i}` })).id);
  for (let i = 0; i < 14; i++) {
    const groupId = pick(groups);
    const memberId = rand(3) === 0 ? pick(groups) : pick(users);
    if (memberId === groupId) continue;
    try {
      await addGroupMember(store.directory, { tenantId: tenant.id, groupId, memberId });
    } catch (error) {
      if (!(error instanceof GroupCycleError)) throw error;
    }
  }
  const scopes = ["/", root.id, ...mgs, ...subs, ...rgs, ...vms];
  const assignments: RoleAssignment[] = [];
  const taken = new Set<string>();
  for (let i = 0; i < 40; i++) {
    const toGroup = rand(2) === 0;
    const principal = rand(20) === 0 ? randomUUID() : toGroup ? pick(groups) : pick(users);
    const a = assignment(tenant.id, principal, toGroup ? "Group" : "User", pick(scopes), pick(ROLES));
    const same = `${a.roleDefinitionId} ${a.principalId} ${scopeKey(a.scope)}`;
    if (taken.has(same)) continue; // the store refuses the same role twice for one principal and scope
    taken.add(same);
    await store.rbac.createRoleAssignment(a);
    assignments.push(a);
  }
  return { tenant, rootMg: root.id, mgs, subs, scopes: [...scopes, stray], users, groups, assignments };
}

/** The old wiring: a recursive group-closure query and a tree-ancestry query per check. */
function storeQueryEngine(store: Store, tenantId: string): Promise<RbacEngine> {
  return RbacEngine.open({
    repository: store.rbac,
    tenantId,
    groups: (t, id) => groupClosure(store.directory, t, id),
    ancestry: (_t, scope) => managementGroupsAbove(store.resources, scope),
    maxStalenessMs: 0,
  });
}

function memoryEngine(store: Store, tenantId: string, readLatest = true): Promise<RbacEngine> {
  return RbacEngine.open({
    repository: store.rbac,
    tenantId,
    graph: storeDecisionGraph(store.directory, store.resources),
    readLatest,
  });
}

async function compare(
  memory: RbacEngine,
  reference: RbacEngine,
  world: World,
  label: string,
): Promise<number> {
  let n = 0;
  // Groups and ancestry are read as a decision reads them: after catching up with the log.
  await Promise.all([memory.fresh(), reference.fresh()]);
  const principals = [...world.users, ...world.groups, randomUUID()];
  // The reference's closure and ancestry: one store query each per principal and per scope.
  const groups = new Map<string, string[]>();
  for (const id of principals) {
    const theirs = [...(await reference.groupsOf(id))].sort();
    assert.deepEqual([...(await memory.groupsOf(id))].sort(), theirs, `${label}: groups of ${id}`);
    groups.set(id, theirs);
  }
  for (const scope of world.scopes) {
    const keys = await reference.ancestorKeys(parseScope(scope));
    assert.deepEqual(await memory.ancestorKeys(parseScope(scope)), keys, `${label}: ancestors of ${scope}`);
    for (const id of principals)
      for (const op of OPERATIONS) {
        // The memory engine's whole decision against the store-query one's evaluation.
        const mine = await memory.check({ id, type: "User" }, op, scope);
        const theirs = reference.evaluate(id, groups.get(id) ?? [], op, keys, scope);
        assert.equal(verdict(mine), verdict(theirs), `${label}: ${id} ${op} on ${scope}`);
        n++;
      }
  }
  return n;
}

/** Random changes made straight in the store: the memory engine hears of them only through the log. */
async function mutate(store: Store, world: World, rand: (n: number) => number): Promise<string[]> {
  const pick = <T>(list: readonly T[]): T => list[rand(list.length)] as T;
  const tenantId = world.tenant.id;
  const done: string[] = [];
  for (let i = 0; i < 10; i++) {
    const what = rand(7);
    try {
      if (what === 0) {
        const sub = pick(world.subs);
        const to = pick([world.rootMg, ...world.mgs]);
        await moveUnderManagementGroup(store.resources, sub, to);
        done.push(`move ${sub} under ${to}`);
      } else if (what === 1) {
        const mg = pick(world.mgs);
        const to = pick([world.rootMg, ...world.mgs]);
        await moveUnderManagementGroup(store.resources, mg, to);
        done.push(`move ${mg} under ${to}`);
      } else if (what === 2) {
        const groupId = pick(world.groups);
        const memberId = rand(3) === 0 ? pick(world.groups) : pick(world.users);
        if (memberId === groupId) continue;
        await addGroupMember(store.directory, { tenantId, groupId, memberId });
        done.push(`add ${memberId} to ${groupId}`);
      } else if (what === 3) {
        const groupId = pick(world.groups);
        const memberId = pick([...world.users, ...world.groups]);
        await removeGroupMember(store.directory, { tenantId, groupId, memberId });
        done.push(`remove ${memberId} from ${groupId}`);
      } else if (what === 4 && world.assignments.length > 0) {
        const a = world.assignments.splice(rand(world.assignments.length), 1)[0] as RoleAssignment;
        await store.rbac.deleteRoleAssignment(tenantId, a.id);
        done.push(`delete assignment ${a.id}`);
      } else if (what === 5) {
        const toGroup = rand(2) === 0;
        const a = assignment(
          tenantId,
          toGroup ? pick(world.groups) : pick(world.users),
          toGroup ? "Group" : "User",
          pick(world.scopes.slice(0, -1)),
          pick(ROLES),
        );
        if (
          world.assignments.some(
            (b) =>
              b.roleDefinitionId === a.roleDefinitionId &&
              b.principalId === a.principalId &&
              scopeKey(b.scope) === scopeKey(a.scope),
          )
        )
          continue;
        await store.rbac.createRoleAssignment(a);
        world.assignments.push(a);
        done.push(`assign ${a.principalId} at ${a.scope}`);
      } else if (what === 6 && rand(3) === 0 && world.groups.length > 2) {
        // A deleted group takes its memberships (as member and as group) with it.
        const g = world.groups.splice(rand(world.groups.length), 1)[0] as string;
        await store.directory.deletePrincipal(tenantId, g);
        done.push(`delete group ${g}`);
      }
    } catch (error) {
      // A move that would nest too deep or under itself, a cycle: refused by the domain, nothing changed.
      if (!(error instanceof Error) || !/cycle|deep|under itself|cannot move/i.test(error.message))
        throw error;
    }
  }
  return done;
}

/** Waits until the wired services trust the change notices and the tenant's engine read the store since. */
async function noticesTrusted(wired: ReturnType<typeof wireServices>, tenantId: string): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (wired.decisionFreshness(tenantId).mode !== "notices") {
    assert.ok(performance.now() < deadline, "the change notices never became trusted");
    await new Promise((r) => setTimeout(r, 5));
  }
  await (await wired.rbac(tenantId)).sync(); // a read in the listener's epoch
}

/**
 * The store's change notices with a switch: `down()` reports the listener lost and drops what it
 * hears, `up()` reports it listening again (a new epoch), `silence()` drops notices and
 * heartbeats, `swallowChanges()` drops notices only, `beat()` reports a heartbeat.
 */
function controllableNotices(store: Store) {
  const real = store.changeNotices;
  assert.ok(real);
  let mode: "open" | "down" | "silent" | "swallow" = "open";
  let state: (listening: boolean) => void = () => {};
  let alive: () => void = () => {};
  return {
    subscribe(
      onChange: (tenantId: string, version: number) => void,
      onState: (listening: boolean) => void = () => {},
      onAlive: () => void = () => {},
    ) {
      state = onState;
      alive = onAlive;
      return real.subscribe(
        (tenantId, version) => {
          if (mode === "open") onChange(tenantId, version);
        },
        (up) => {
          if (mode !== "down") onState(up);
        },
        () => {
          if (mode === "open" || mode === "swallow") onAlive();
        },
      );
    },
    down() {
      mode = "down";
      state(false);
    },
    up() {
      mode = "open";
      state(true);
    },
    silence() {
      mode = "silent";
    },
    swallowChanges() {
      mode = "swallow";
    },
    async beat() {
      alive();
    },
  };
}

for (const dialect of selectedDialects()) {
  describe(`access decisions from memory on ${dialect}`, () => {
    const database = createTestDatabase(dialect);
    let store: Store;
    before(async () => {
      store = await database.open();
    });
    after(async () => {
      await store?.close();
      await database.drop();
    });

    for (const seed of [11, 12, 13]) {
      it(`decides like the store queries on a random tenant, and after random changes (seed ${seed})`, async () => {
        const world = await buildWorld(store, seed);
        const memory = await memoryEngine(store, world.tenant.id);
        const reference = await storeQueryEngine(store, world.tenant.id);
        let checks = await compare(memory, reference, world, `seed ${seed}, built`);
        const rand = prng(seed * 7919);
        for (let round = 0; round < 3; round++) {
          const changes = await mutate(store, world, rand);
          checks += await compare(
            memory,
            reference,
            world,
            `seed ${seed}, round ${round}: ${changes.join("; ")}`,
          );
        }
        // Not vacuous: both verdicts occur.
        assert.ok(checks > 3000, `${checks} checks`);
        const sample = await Promise.all(
          world.scopes.map((s) =>
            memory.check({ id: world.users[0] as string, type: "User" }, LOGIN_ACTION, s),
          ),
        );
        assert.ok(sample.some((r) => !r.allowed));
      });
    }

    it("decides from memory: no store query per check but the log's freshness read", async () => {
      const world = await buildWorld(store, 21);
      const memory = await memoryEngine(store, world.tenant.id);
      let groupReads = 0;
      let treeReads = 0;
      const directory = store.directory;
      const resources = store.resources;
      const real = { closure: directory.listTransitiveGroups, ancestors: resources.listAncestors };
      directory.listTransitiveGroups = (...args) => {
        groupReads++;
        return real.closure.apply(directory, args);
      };
      resources.listAncestors = (...args) => {
        treeReads++;
        return real.ancestors.apply(resources, args);
      };
      try {
        for (const scope of world.scopes)
          await memory.check({ id: world.users[1] as string, type: "User" }, LOGIN_ACTION, scope);
      } finally {
        directory.listTransitiveGroups = real.closure;
        resources.listAncestors = real.ancestors;
      }
      assert.equal(groupReads, 0);
      assert.equal(treeReads, 0);
    });

    describe("a decision after a commit reflects it", () => {
      let second: SecondWriter;
      let tenant: Tenant;
      let alice: string;
      let team: string;
      let sub: string;
      let mgA: string;
      let mgB: string;
      let vm: string;
      before(async () => {
        second = await startSecondWriter(database.url); // what a second server is to this one
        tenant = await createTenant(store.directory, { name: "fresh" });
        const root = await createRootManagementGroup(store.resources, { tenantId: tenant.id });
        mgA = (
          await createManagementGroup(store.resources, {
            tenantId: tenant.id,
            name: "fresh-a",
            parentId: root.id,
          })
        ).id;
        mgB = (
          await createManagementGroup(store.resources, {
            tenantId: tenant.id,
            name: "fresh-b",
            parentId: root.id,
          })
        ).id;
        sub = (
          await createSubscription(store.resources, {
            tenantId: tenant.id,
            displayName: "s",
            managementGroupId: mgA,
          })
        ).id;
        vm = `${sub}/resourceGroups/rg/providers/Compute/virtualMachines/vm1`;
        alice = (
          await createUser(store.directory, {
            tenantId: tenant.id,
            upn: "alice@fresh.example",
            displayName: "Alice",
          })
        ).id;
        team = (await createGroup(store.directory, { tenantId: tenant.id, displayName: "team" })).id;
      });
      after(async () => {
        await second?.close();
      });

      const may = async (engine: RbacEngine) =>
        (await engine.check({ id: alice, type: "User" }, LOGIN_ACTION, vm)).allowed;

      it("a write through the server's own transaction, and one straight to the store", async () => {
        const wired = wireServices(store);
        try {
          const engine = await wired.rbac(tenant.id);
          const stale = await memoryEngine(store, tenant.id, false);
          const a = assignment(tenant.id, alice, "User", vm, BUILT_IN_ROLE_IDS.virtualMachineUserLogin);
          await wired.transaction(tenant.id, (tx) => tx.rbac.createRoleAssignment(a));
          assert.equal(await may(engine), true, "assignment made through the server's transaction");
          await store.rbac.deleteRoleAssignment(tenant.id, a.id);
          assert.equal(await may(engine), false, "assignment deleted straight in the store");
          const b = assignment(tenant.id, team, "Group", mgA, BUILT_IN_ROLE_IDS.virtualMachineUserLogin);
          await store.rbac.createRoleAssignment(b);
          assert.equal(await may(engine), false, "alice is not in the team yet");
          await addGroupMember(store.directory, { tenantId: tenant.id, groupId: team, memberId: alice });
          assert.equal(await may(engine), true, "membership added");
          await moveUnderManagementGroup(store.resources, sub, mgB);
          assert.equal(await may(engine), false, "subscription moved out from under the granting group");
          await moveUnderManagementGroup(store.resources, sub, mgA);
          assert.equal(await may(engine), true, "and back");
          await removeGroupMember(store.directory, { tenantId: tenant.id, groupId: team, memberId: alice });
          assert.equal(await may(engine), false, "membership removed");
          // The control: an engine that does not read the log before deciding has not seen any of it.
          assert.equal(stale.version < engine.version, true);
          await store.rbac.deleteRoleAssignment(tenant.id, b.id);
        } finally {
          await wired.close();
        }
      });

      /** Counts the engine's head-version reads (the round trip a decision pays without trusted notices). */
      const countHeadReads = () => {
        const rbac = store.rbac;
        const real = rbac.headVersion;
        const counter = {
          reads: 0,
          restore: () => {
            rbac.headVersion = real;
          },
        };
        rbac.headVersion = (...args) => {
          counter.reads++;
          return real.apply(rbac, args);
        };
        return counter;
      };

      /**
       * The second writer's change as this process may see it: on SQLite at once (every decision
       * reads the head); on PostgreSQL once its notice arrived (its version, read from the store
       * by the test itself, heard by the wired services).
       */
      const changeOnSecond = async (wired: ReturnType<typeof wireServices>, command: WriterCommand) => {
        await second.send(command);
        if (dialect !== "postgres") return;
        const version = await store.changeLog.head(tenant.id);
        const deadline = performance.now() + 30_000;
        while (wired.decisionFreshness(tenant.id).heardVersion < version) {
          assert.ok(performance.now() < deadline, `the notice of version ${version} never arrived`);
          await new Promise((r) => setTimeout(r, 5));
        }
      };

      it("a write by a second writer on the same store", async () => {
        // The heartbeat judged by a clock that stands still: only the listener's state counts here.
        const wired = wireServices(store, { clock: () => 0 });
        try {
          const engine = await wired.rbac(tenant.id);
          const stale = await memoryEngine(store, tenant.id, false);
          assert.equal(await may(engine), false);
          if (dialect === "postgres") await noticesTrusted(wired, tenant.id);
          const heads = countHeadReads();
          try {
            const a = assignment(
              tenant.id,
              team,
              "Group",
              mgA,
              BUILT_IN_ROLE_IDS.virtualMachineAdministratorLogin,
            );
            await changeOnSecond(wired, { op: "assign", assignment: a });
            await changeOnSecond(wired, {
              op: "addMember",
              tenantId: tenant.id,
              groupId: team,
              memberId: alice,
            });
            assert.equal(await may(engine), true, "the second writer's assignment and membership");
            assert.equal(await may(stale), false, "the control engine (no readLatest) is still stale");
            await changeOnSecond(wired, { op: "move", id: sub, managementGroup: mgB });
            assert.equal(await may(engine), false, "the second writer's move");
            await changeOnSecond(wired, { op: "move", id: sub, managementGroup: mgA });
            assert.equal(await may(engine), true, "moved back");
            await changeOnSecond(wired, { op: "unassign", tenantId: tenant.id, id: a.id });
            assert.equal(await may(engine), false, "the second writer's deletion");
            // Many decisions at once after a commit share the catch-up and all see the change.
            const b = assignment(tenant.id, alice, "User", vm, BUILT_IN_ROLE_IDS.virtualMachineUserLogin);
            await changeOnSecond(wired, { op: "assign", assignment: b });
            const all = await Promise.all(Array.from({ length: 50 }, () => may(engine)));
            assert.deepEqual(new Set(all), new Set([true]));
            await changeOnSecond(wired, { op: "unassign", tenantId: tenant.id, id: b.id });
            assert.equal(await may(engine), false);
            for (let i = 0; i < 20; i++) await may(engine);
            // PostgreSQL: with the notices trusted no decision read the head (they told what to pull);
            // SQLite: every decision did.
            if (dialect === "postgres") assert.equal(heads.reads, 0, "no head read per decision");
            else assert.ok(heads.reads >= 25, `${heads.reads} head reads`);
          } finally {
            heads.restore();
          }
        } finally {
          await wired.close();
        }
      });

      if (dialect === "postgres") {
        it("notices not trusted (listener down, or no heartbeat heard lately): every decision reads the head", async () => {
          const notices = controllableNotices(store);
          let now = Date.parse("2026-11-30T12:00:00Z");
          const wired = wireServices({ ...store, changeNotices: notices }, { clock: () => now });
          try {
            const engine = await wired.rbac(tenant.id);
            await noticesTrusted(wired, tenant.id);
            const a = assignment(tenant.id, alice, "User", vm, BUILT_IN_ROLE_IDS.virtualMachineUserLogin);

            // The listener is lost: the first decision after the second writer's commit reflects it.
            notices.down();
            assert.equal(wired.decisionFreshness(tenant.id).mode, "headRead");
            let heads = countHeadReads();
            try {
              await second.send({ op: "assign", assignment: a });
              assert.equal(await may(engine), true, "listener down: read the head, pulled the change");
              assert.equal(heads.reads, 1);
            } finally {
              heads.restore();
            }

            // Listening again (a new epoch): trusted once the engine read the store in it.
            notices.up();
            await noticesTrusted(wired, tenant.id);
            assert.equal(await may(engine), true);

            // Silence: notices dropped and no heartbeat for longer than the silence limit.
            notices.silence();
            now += 3_001;
            assert.equal(wired.decisionFreshness(tenant.id).mode, "headRead");
            heads = countHeadReads();
            try {
              await second.send({ op: "unassign", tenantId: tenant.id, id: a.id });
              assert.equal(await may(engine), false, "silent listener: read the head, pulled the deletion");
              assert.equal(heads.reads, 1);
            } finally {
              heads.restore();
            }

            // The control: notices swallowed while the heartbeat still says alive, so the engine
            // trusts them and is stale — what the head read above protects against.
            notices.swallowChanges();
            now += 1;
            await notices.beat();
            assert.equal(wired.decisionFreshness(tenant.id).mode, "notices");
            await engine.sync(); // a read in this epoch: from here on the notices are trusted
            await second.send({ op: "assign", assignment: a });
            assert.equal(await may(engine), false, "a swallowed notice leaves a trusted engine stale");
            await second.send({ op: "unassign", tenantId: tenant.id, id: a.id });
          } finally {
            await wired.close();
          }
        });
      }
    });
  });
}
