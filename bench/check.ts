/**
 * `npm run bench -- check [--database postgres://…] [--quick] [--assignments=N] [--machines=N]
 * [--users=N] [--groups=N] [--samples=N]`: access decisions in a large tenant on the real store
 * (issue 10): 1,000,000 role assignments, 100,000 machines in 1,000 resource groups under 10
 * subscriptions in three levels of management groups, 100,000 users in 10,000 nested groups.
 * SQLite in a fresh data directory by default; PostgreSQL in a fresh schema of the given
 * database (dropped afterwards).
 *
 * 1. A server bootstraps the tenant; the management groups and subscriptions are made through
 *    the domain; everything else is written in bulk (lib-seed.ts), bypassing the change log, so
 *    what follows reads it from a snapshot as after a restart.
 * 2. In-process: the store opened and the services wired as `hostpass server` does
 *    (wireServices), the tenant's engine loaded; then `engine.check` (the whole decision: its
 *    freshness (PostgreSQL: the change notices, SQLite: the head read), group closure and
 *    management-group ancestry from memory, the index walk), for a user's own VM-level login and for random (user, VM) pairs; users in
 *    30 groups; `checkMany` over a page of 100 VMs (a listing); decisions 32 at a time; the log
 *    read alone; the memory part alone.
 * 3. Freshness: a second process writing the same store (test/helpers/second-writer.ts) and this
 *    process's own transaction make a change; the first decision after the commit returned must
 *    reflect it (granted after an assignment, refused after its removal or a membership's). On
 *    PostgreSQL another process's change is decided on once its notice arrived (the time to it is
 *    reported), and a round that does not wait counts how many decisions reflected it anyway.
 * 4. HTTP: a real server on the same store; `POST {vm}/providers/Authorization/checkAccess` with
 *    an `assignee`, sequentially over one keep-alive TLS connection: p50/p99, verdicts equal to
 *    the in-process ones, and the first answer after a second writer's commit.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { Agent } from "node:https";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import pg from "pg";
import { principalState } from "../src/directory/index.ts";
import {
  BUILT_IN_ROLE_IDS,
  type CheckResult,
  type HostLoginDirectory,
  HostLoginIndex,
  LOGIN_ACTION,
  LOGIN_AS_ADMIN_ACTION,
  parseScope,
  type RbacEngine,
  type RoleAssignment,
} from "../src/rbac/index.ts";
import { createManagementGroup, createSubscription, managementGroupId } from "../src/resources/index.ts";
import { startServer } from "../src/server/index.ts";
import { loadOrCreateKek } from "../src/server/keys/kek.ts";
import { wireServices } from "../src/server/wire-services.ts";
import { openStore, type Store, sqliteUrlForDataDir } from "../src/store/index.ts";
import { servicePrincipalApi } from "../test/helpers/api-client.ts";
import { prng } from "../test/helpers/prng.ts";
import { type SecondWriter, startSecondWriter } from "../test/helpers/second-writer.ts";
import { numberOption, round } from "./lib-measure.ts";
import { openBulkWriter, type Row } from "./lib-seed.ts";

const TARGET_P99_MS = 1;
const R = BUILT_IN_ROLE_IDS;

interface Sizes {
  assignments: number;
  machines: number;
  resourceGroups: number;
  subscriptions: number;
  users: number;
  groups: number;
  samples: number;
  warmRounds: number;
  freshnessRounds: number;
  httpSamples: number;
  watchedMachines: number;
}

function sizes(args: readonly string[]): Sizes {
  const q = args.includes("--quick") ? 10 : 1;
  return {
    assignments: numberOption(args, "assignments", 1_000_000 / q),
    machines: numberOption(args, "machines", 100_000 / q),
    resourceGroups: numberOption(args, "resourceGroups", 1_000 / q),
    subscriptions: 10,
    users: numberOption(args, "users", 100_000 / q),
    groups: numberOption(args, "groups", 10_000 / q),
    samples: numberOption(args, "samples", 20_000),
    warmRounds: 3,
    freshnessRounds: numberOption(args, "freshnessRounds", 20),
    httpSamples: numberOption(args, "httpSamples", 2_000),
    watchedMachines: numberOption(args, "watchedMachines", 20),
  };
}

function option(args: readonly string[], name: string): string | undefined {
  for (const [i, a] of args.entries()) {
    if (a === `--${name}`) return args[i + 1];
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

function stats(ns: readonly number[]) {
  const ms = ns.map((v) => v / 1e6).sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] as number;
  const r = (v: number) => Math.round(v * 1e4) / 1e4;
  return {
    samples: ms.length,
    p50Ms: r(at(0.5)),
    p99Ms: r(at(0.99)),
    p999Ms: r(at(0.999)),
    maxMs: r(at(1)),
    meanMs: r(ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length)),
  };
}

/** Percentiles of every sample, and of those the OS did not preempt (see `timed`). */
function percentiles(ns: Samples) {
  const preempted = ns.preempted ?? new Set<number>();
  const kept = ns.filter((_, i) => !preempted.has(i));
  const { samples, p50Ms, p99Ms, p999Ms } = stats(kept);
  return {
    ...stats(ns),
    notPreempted: { share: round(samples / Math.max(1, ns.length)), p50Ms, p99Ms, p999Ms },
  };
}

function fullGc(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

/** Garbage-collection pauses while measuring: count, total and longest. */
function gcPauses(): { stop(): Promise<{ count: number; totalMs: number; maxMs: number }> } {
  const pauses: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push(e.duration);
  });
  observer.observe({ entryTypes: ["gc"] });
  return {
    async stop() {
      // Entries are delivered from the event loop; a loop of synchronously resolved awaits never yields to it.
      await new Promise((resolve) => setImmediate(resolve));
      observer.disconnect();
      return {
        count: pauses.length,
        totalMs: round(pauses.reduce((a, b) => a + b, 0)),
        maxMs: round(Math.max(0, ...pauses)),
      };
    },
  };
}

const load = () => loadavg().map((v) => round(v, 2));
const seconds = (since: number) => round((performance.now() - since) / 1000, 2);

/** A PostgreSQL URL with a schema of its own for this run. */
function freshSchema(database: string): string {
  const url = new URL(database);
  url.searchParams.set("schema", `hostpass_bench_check_${process.pid}`);
  return url.toString();
}

async function dropSchema(url: string): Promise<void> {
  const u = new URL(url);
  const schema = u.searchParams.get("schema") as string;
  u.searchParams.delete("schema");
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

interface Tenant {
  readonly tenantId: string;
  readonly subscriptions: readonly string[];
  readonly managementGroups: number;
}

/** The bootstrap's tenant, then root > 4 > 8 management groups and the subscriptions under them. */
async function makeTenant(dataDir: string, url: string, s: Sizes): Promise<Tenant> {
  const server = await startServer({ dataDir, database: url, listen: "127.0.0.1:0", logLevel: "silent" });
  try {
    const tenantId = server.bootstrap.tenant.id;
    const repo = server.store.resources;
    const root = managementGroupId(tenantId).id;
    const l1: string[] = [];
    for (let i = 0; i < 4; i++)
      l1.push((await createManagementGroup(repo, { tenantId, name: `l1-${i}`, parentId: root })).id);
    const l2: string[] = [];
    for (let i = 0; i < 8; i++)
      l2.push((await createManagementGroup(repo, { tenantId, name: `l2-${i}`, parentId: l1[i >> 1] })).id);
    const subscriptions: string[] = [];
    for (let i = 0; i < s.subscriptions; i++) {
      const sub = await createSubscription(repo, {
        tenantId,
        displayName: `bench ${i}`,
        managementGroupId: l2[i % l2.length] as string,
      });
      subscriptions.push(sub.id);
    }
    return { tenantId, subscriptions, managementGroups: 1 + l1.length + l2.length };
  } finally {
    await server.close();
  }
}

interface Sample {
  readonly user: string;
  readonly op: string;
  readonly vm: string;
}

interface Seeded {
  readonly users: readonly string[];
  readonly groups: readonly string[];
  readonly vms: readonly string[];
  readonly samples: readonly Sample[];
  readonly heavySamples: readonly Sample[];
  readonly memberships: number;
  readonly assignments: number;
  readonly assignmentsByScope: Record<string, number>;
  readonly rows: Record<string, number>;
}

/** Users, groups, memberships, resource groups, machines and assignments, in bulk. */
async function seed(url: string, tenant: Tenant, s: Sizes): Promise<Seeded> {
  const rand = prng(20261130);
  const pick = <T>(list: readonly T[]): T => list[rand(list.length)] as T;
  const { tenantId } = tenant;
  const now = Date.now();
  const w = await openBulkWriter(url);
  const rows: Record<string, number> = {};
  try {
    const [t] = await w.query("select next_uid from tenants where id = ?", [tenantId]);
    const firstUid = Number(t?.next_uid);
    const users = Array.from({ length: s.users }, () => randomUUID());
    const groups = Array.from({ length: s.groups }, () => randomUUID());
    const principal = [
      "id",
      "tenant_id",
      "kind",
      "display_name",
      "enabled",
      "linux_name",
      "uid",
      "created_at",
    ];
    rows.principals = await w.insert("principals", principal, [
      ...users.map(
        (id, i): Row => [id, tenantId, "user", `Bench User ${i}`, true, `bench${i}`, firstUid + i, now],
      ),
      ...groups.map((id, i): Row => [id, tenantId, "group", `Bench Group ${i}`, true, null, null, now]),
    ]);
    await w.query("update tenants set next_uid = ? where id = ?", [firstUid + s.users, tenantId]);
    rows.users = await w.insert(
      "users",
      ["principal_id", "tenant_id", "upn", "upn_key", "password_hash", "password_change_required"],
      users.map(
        (id, i): Row => [id, tenantId, `bench${i}@bench.example`, `bench${i}@bench.example`, null, false],
      ),
    );
    rows.groups = await w.insert(
      "groups",
      ["principal_id", "tenant_id", "description"],
      groups.map((id): Row => [id, tenantId, ""]),
    );

    // Leaf groups sit in a mid group, mid groups in a top group: users are three levels deep;
    // 1% of users are in 30 leaf groups (~90 after nesting), the costly case for a decision.
    const top = Math.ceil(s.groups / 10);
    const mid = Math.ceil((s.groups * 3) / 10);
    const members: Row[] = [];
    for (let g = top; g < s.groups; g++) {
      const parent = g < top + mid ? rand(top) : top + rand(mid);
      members.push([tenantId, groups[parent] as string, groups[g] as string, now]);
    }
    const heavyUsers: string[] = [];
    for (const u of users) {
      const n = rand(100) === 0 ? 30 : 1 + rand(3);
      if (n === 30) heavyUsers.push(u);
      const mine = new Set<string>();
      while (mine.size < n) mine.add(groups[top + mid + rand(s.groups - top - mid)] as string);
      for (const g of mine) members.push([tenantId, g, u, now]);
    }
    rows.group_members = await w.insert(
      "group_members",
      ["tenant_id", "group_id", "member_id", "created_at"],
      members,
    );

    const resource = [
      "key",
      "id",
      "tenant_id",
      "kind",
      "name",
      "parent_key",
      "display_name",
      "location",
      "tags",
      "created_at",
      "updated_at",
    ];
    const rgs = Array.from(
      { length: s.resourceGroups },
      (_, i) => `${tenant.subscriptions[i % tenant.subscriptions.length]}/resourceGroups/rg-${i}`,
    );
    const vms = Array.from(
      { length: s.machines },
      (_, i) => `${rgs[i % rgs.length]}/providers/Compute/virtualMachines/vm-${i}`,
    );
    const parentOf = (id: string) => id.slice(0, id.lastIndexOf("/", id.lastIndexOf("/") - 1)).toLowerCase();
    rows.resources = await w.insert("resources", resource, [
      ...rgs.map(
        (id): Row => [
          id.toLowerCase(),
          id,
          tenantId,
          "resourceGroup",
          id.slice(id.lastIndexOf("/") + 1),
          parentOf(id),
          id.slice(id.lastIndexOf("/") + 1),
          "local",
          "{}",
          now,
          now,
        ],
      ),
      ...vms.map((id): Row => {
        const name = id.slice(id.lastIndexOf("/") + 1);
        const rg = id.slice(0, id.indexOf("/providers/")).toLowerCase();
        return [id.toLowerCase(), id, tenantId, "virtualMachine", name, rg, name, "local", "{}", now, now];
      }),
    ]);
    rows.virtual_machines = await w.insert(
      "virtual_machines",
      [
        "resource_key",
        "image",
        "admin_username",
        "size",
        "identity_principal_id",
        "agent_status",
        "last_heartbeat_at",
        "model_version",
        "admin_ssh_public_key",
      ],
      vms.map(
        (id): Row => [
          id.toLowerCase(),
          "debian-12",
          "localadmin",
          "Standard_B1s",
          null,
          "unknown",
          null,
          0,
          null,
        ],
      ),
    );

    const createdAt = new Date(now).toISOString();
    const perLevel: Record<string, number> = {
      root: 0,
      managementGroup: 0,
      subscription: 0,
      resourceGroup: 0,
      vm: 0,
    };
    const unique = new Set<string>();
    const assignments: Row[] = [];
    const vmLogins: { principal: string; role: string; scope: string }[] = [];
    const add = (role: string, principalId: string, type: "User" | "Group", scope: string, level: string) => {
      const key = `${role}|${principalId}|${scope.toLowerCase()}`;
      if (unique.has(key)) return;
      unique.add(key);
      assignments.push([
        randomUUID(),
        tenantId,
        role,
        principalId,
        type,
        scope,
        scope.toLowerCase(),
        "",
        createdAt,
        "bench",
      ]);
      perLevel[level] = (perLevel[level] ?? 0) + 1;
      if (level === "vm" && type === "User" && role !== R.reader)
        vmLogins.push({ principal: principalId, role, scope });
    };
    for (let i = 0; i < 5; i++) add(R.owner, pick(users), "User", "/", "root");
    for (let i = 0; i < 20; i++)
      add(
        R.userAccessAdministrator,
        pick(groups),
        "Group",
        `/providers/Management/managementGroups/l1-${i % 4}`,
        "managementGroup",
      );
    for (const sub of tenant.subscriptions)
      for (let i = 0; i < 10; i++)
        add(i % 2 ? R.reader : R.contributor, pick(groups), "Group", sub, "subscription");
    for (const rg of rgs)
      for (let i = 0; i < 50; i++) {
        const k = i % 5;
        if (k < 2) add(R.virtualMachineUserLogin, pick(groups), "Group", rg, "resourceGroup");
        else if (k === 2) add(R.virtualMachineAdministratorLogin, pick(groups), "Group", rg, "resourceGroup");
        else add(k === 3 ? R.virtualMachineContributor : R.reader, pick(users), "User", rg, "resourceGroup");
      }
    for (let k = 0; assignments.length < s.assignments; k++) {
      const role =
        rand(10) < 6
          ? R.virtualMachineUserLogin
          : rand(4) < 3
            ? R.virtualMachineAdministratorLogin
            : R.reader;
      if (rand(10) < 7) add(role, pick(users), "User", vms[k % vms.length] as string, "vm");
      else add(role, pick(groups), "Group", vms[k % vms.length] as string, "vm");
    }
    unique.clear();
    const assignmentRows = await w.insert(
      "role_assignments",
      [
        "id",
        "tenant_id",
        "role_definition_id",
        "principal_id",
        "principal_type",
        "scope",
        "scope_key",
        "description",
        "created_at",
        "created_by",
      ],
      assignments,
    );
    rows.role_assignments = assignmentRows;
    // As after any bulk import: PostgreSQL's planner needs statistics for the snapshot's keyset pages.
    if (w.dialect === "postgres") await w.query("analyze");

    // Half the samples a user's own VM-level login (granted at the deepest scope), half a random
    // user on a random VM (mostly denied: every ancestor scope and group is visited).
    const samples: Sample[] = [];
    while (samples.length < s.samples) {
      if (samples.length % 2 === 0) {
        const a = pick(vmLogins);
        samples.push({
          user: a.principal,
          op: a.role === R.virtualMachineAdministratorLogin ? LOGIN_AS_ADMIN_ACTION : LOGIN_ACTION,
          vm: a.scope,
        });
      } else {
        samples.push({
          user: pick(users),
          op: rand(2) ? LOGIN_ACTION : LOGIN_AS_ADMIN_ACTION,
          vm: pick(vms),
        });
      }
    }
    const heavySamples = Array.from({ length: Math.min(2000, s.samples) }, () => ({
      user: pick(heavyUsers),
      op: LOGIN_AS_ADMIN_ACTION,
      vm: pick(vms),
    }));
    return {
      users,
      groups,
      vms,
      samples,
      heavySamples,
      memberships: members.length,
      assignments: assignments.length,
      assignmentsByScope: perLevel,
      rows,
    };
  } finally {
    await w.close();
  }
}

/** Durations in ns; `preempted` holds the indexes of samples during which the OS took the CPU away. */
type Samples = number[] & { preempted?: Set<number> };

/**
 * Times `work`, and marks the sample when the process was switched out involuntarily meanwhile
 * (getrusage's involuntary context switches rose): on a loaded machine those samples measure the
 * scheduler, the others the code.
 */
async function timed<T>(times: Samples, work: () => Promise<T>): Promise<T> {
  const switches = process.resourceUsage().involuntaryContextSwitches;
  const t0 = process.hrtime.bigint();
  const value = await work();
  times.push(Number(process.hrtime.bigint() - t0));
  if (process.resourceUsage().involuntaryContextSwitches !== switches) {
    times.preempted ??= new Set();
    times.preempted.add(times.length - 1);
  }
  return value;
}

function assignment(
  tenantId: string,
  principalId: string,
  scope: string,
  role: string = R.virtualMachineUserLogin,
): RoleAssignment {
  return {
    id: randomUUID(),
    tenantId,
    roleDefinitionId: role,
    principalId,
    principalType: "User",
    scope,
    createdAt: new Date().toISOString(),
    createdBy: "bench",
    description: "",
  };
}

/**
 * Rounds of: a change committed (by the second writer, or by this process's own transaction),
 * then one decision at once. Counts the decisions that reflected the change. With `heard` (another
 * process's commit on PostgreSQL, whose change notice this process must receive first), the
 * decision comes once `heard` resolved, and the time from the commit's return to then is reported.
 */
async function freshness(
  rounds: number,
  tenantId: string,
  data: Seeded,
  decide: (user: string, vm: string) => Promise<boolean>,
  commit: { assign(a: RoleAssignment): Promise<unknown>; unassign(id: string): Promise<unknown> },
  heard?: () => Promise<void>,
) {
  const rand = prng(7);
  let reflected = 0;
  const firstDecision: number[] = [];
  const notice: number[] = [];
  const afterCommit = async (work: () => Promise<unknown>) => {
    await work();
    if (heard !== undefined) await timed(notice, heard);
  };
  for (let r = 0; r < rounds; r++) {
    // A fresh user on a random machine: no access before the assignment.
    const user = data.users[rand(data.users.length)] as string;
    const vm = data.vms[rand(data.vms.length)] as string;
    if (await decide(user, vm)) continue;
    const a = assignment(tenantId, user, vm);
    await afterCommit(() => commit.assign(a));
    if (await timed(firstDecision, () => decide(user, vm))) reflected++;
    await afterCommit(() => commit.unassign(a.id));
    if (!(await timed(firstDecision, () => decide(user, vm)))) reflected++;
  }
  return {
    changes: firstDecision.length,
    reflected,
    ...(heard === undefined
      ? {}
      : {
          noticeHeardAfterCommit: {
            what: "from the commit's return in the other process to this process holding its change notice (includes one head read to learn the version)",
            ...percentiles(notice),
          },
        }),
    firstDecisionAfterCommit: percentiles(firstDecision),
  };
}

/**
 * The window a change notice leaves: a second writer's commit, then a decision at once, without
 * waiting for the notice. Counts how many reflected it (PostgreSQL: those whose notice had arrived).
 */
async function immediately(
  rounds: number,
  tenantId: string,
  data: Seeded,
  decide: (user: string, vm: string) => Promise<boolean>,
  second: SecondWriter,
) {
  const rand = prng(17);
  let reflected = 0;
  let changes = 0;
  for (let r = 0; r < rounds; r++) {
    const user = data.users[rand(data.users.length)] as string;
    const vm = data.vms[rand(data.vms.length)] as string;
    if (await decide(user, vm)) continue;
    const a = assignment(tenantId, user, vm);
    await second.send({ op: "assign", assignment: a });
    if (await decide(user, vm)) reflected++;
    await second.send({ op: "unassign", tenantId, id: a.id });
    if (!(await decide(user, vm))) reflected++;
    changes += 2;
  }
  return {
    what: "a second writer's commit, then one decision at once without waiting for its notice",
    changes,
    reflected,
  };
}

/** Resolves once `heardVersion()` reaches the tenant's head version (read once, by the bench). */
function noticeOf(store: Store, tenantId: string, heardVersion: () => Promise<number>) {
  return async () => {
    const version = await store.changeLog.head(tenantId);
    const deadline = performance.now() + 30_000;
    while ((await heardVersion()) < version) {
      if (performance.now() > deadline) throw new Error(`the notice of version ${version} never arrived`);
      await new Promise((r) => setImmediate(r));
    }
  };
}

async function inProcess(
  url: string,
  dataDir: string,
  tenant: Tenant,
  data: Seeded,
  s: Sizes,
  second: SecondWriter,
) {
  const store = await openStore({ url, keyEncryptionKey: await loadOrCreateKek(dataDir) });
  const wired = wireServices(store);
  try {
    let t = performance.now();
    const engine: RbacEngine = await wired.rbac(tenant.tenantId);
    const loadSeconds = seconds(t);
    fullGc();
    const heapMB = Math.round(process.memoryUsage().heapUsed / 2 ** 20);

    const decide = (x: Sample) => engine.check({ id: x.user, type: "User" }, x.op, x.vm);
    const cold: number[] = [];
    let allowed = 0;
    const verdicts: boolean[] = [];
    for (const x of data.samples) {
      const r = await timed(cold, () => decide(x));
      verdicts.push(r.allowed);
      if (r.allowed) allowed++;
    }
    // Warm: the whole decision, and its two parts (the change-log read alone, the memory part
    // alone) interleaved sample by sample, so the machine's load hits the three alike.
    const warm: Samples = [];
    const logRead: Samples = [];
    const memory: Samples = [];
    const gc = gcPauses();
    for (let i = 0; i < s.warmRounds; i++)
      for (const x of data.samples) {
        await timed(warm, () => decide(x));
        await timed(logRead, () => engine.sync());
        await timed(memory, async () => {
          const groups = await engine.groupsOf(x.user);
          const keys = await engine.ancestorKeys(parseScope(x.vm));
          return engine.evaluate(x.user, groups, x.op, keys, x.vm);
        });
      }
    const gcDuringWarm = await gc.stop();
    const heavy: number[] = [];
    for (let i = 0; i < s.warmRounds; i++)
      for (const x of data.heavySamples) await timed(heavy, () => decide(x));

    // A listing: one page of 100 machines for one user (visibleTo's shape).
    const listing: number[] = [];
    const rand = prng(99);
    for (let i = 0; i < 500; i++) {
      const start = rand(data.vms.length - 100);
      const page = data.vms.slice(start, start + 100);
      const user = data.users[rand(data.users.length)] as string;
      await timed(listing, () =>
        engine.checkMany({ id: user, type: "User" }, "Compute/virtualMachines/read", page),
      );
    }

    // 32 decisions in flight at a time: they share the freshness read.
    const concurrent: number[] = [];
    t = performance.now();
    let next = 0;
    const n = Math.min(data.samples.length, 10_000);
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < n) {
          const x = data.samples[next++] as Sample;
          await timed(concurrent, () => decide(x));
        }
      }),
    );
    const concurrentPerSecond = Math.round(n / ((performance.now() - t) / 1000));

    const may = async (user: string, vm: string) =>
      (await engine.check({ id: user, type: "User" }, LOGIN_ACTION, vm)).allowed;
    // PostgreSQL: another process's commit is decided on once its notice arrived (docs/decisions.md).
    const heard =
      store.changeNotices === undefined
        ? undefined
        : noticeOf(store, tenant.tenantId, async () => wired.decisionFreshness(tenant.tenantId).heardVersion);
    const bySecondWriterOnce = () =>
      freshness(
        s.freshnessRounds,
        tenant.tenantId,
        data,
        may,
        {
          assign: (a) => second.send({ op: "assign", assignment: a }),
          unassign: (id) => second.send({ op: "unassign", tenantId: tenant.tenantId, id }),
        },
        heard,
      );
    const bySecondWriter = await bySecondWriterOnce();
    const secondWriterNotWaited = await immediately(s.freshnessRounds, tenant.tenantId, data, may, second);
    const byThisProcess = await freshness(s.freshnessRounds, tenant.tenantId, data, may, {
      assign: (a) => wired.transaction(tenant.tenantId, (tx) => tx.rbac.createRoleAssignment(a)),
      unassign: (id) =>
        wired.transaction(tenant.tenantId, (tx) => tx.rbac.deleteRoleAssignment(tenant.tenantId, id)),
    });
    // A membership removed by the second writer: the first decision after it no longer grants.
    const membership = await membershipFreshness(engine, data, tenant.tenantId, second, heard);

    // The host-login computation, then freshness again with its index following the engine (as in
    // a server with agents connected: its settle work runs before the decision that waited).
    const hostLogins = await hostLoginFigures(engine, store, tenant.tenantId, data, s, (a) =>
      wired.transaction(tenant.tenantId, (tx) => tx.rbac.createRoleAssignment(a)),
    );
    const withIndex = await bySecondWriterOnce();

    const warmStats = percentiles(warm);
    return {
      verdicts,
      result: {
        engine: {
          loadSeconds,
          heapUsedMB: heapMB,
          assignmentsInMemory: engine.assignmentCount,
          version: engine.version,
        },
        decision: {
          what: "engine.check(user, login or loginAsAdmin, VM id): freshness (PostgreSQL: from the change notices, no store read while they are trusted; SQLite: the head version read), group closure and management-group ancestry from memory, index walk",
          allowedShare: round(allowed / data.samples.length),
          cold: percentiles(cold),
          warm: warmStats,
          warmUsersIn30Groups: percentiles(heavy),
          meetsTarget: warmStats.p99Ms <= TARGET_P99_MS,
        },
        gcDuringWarm,
        parts: {
          changeLogReadOnly: {
            what: "engine.sync() with nothing new: one indexed query",
            ...percentiles(logRead),
          },
          memoryOnly: { what: "groups + ancestry + evaluate, no store", ...percentiles(memory) },
        },
        listingOf100Machines: {
          what: "engine.checkMany over 100 VMs (one freshness read, one closure)",
          ...percentiles(listing),
        },
        hostLogins,
        concurrent32: { perSecond: concurrentPerSecond, ...percentiles(concurrent) },
        freshness: {
          freshnessFrom: wired.decisionFreshness(tenant.tenantId).mode,
          bySecondWriterProcess: bySecondWriter,
          bySecondWriterNotWaitingForItsNotice: secondWriterNotWaited,
          byThisProcessTransaction: byThisProcess,
          membershipRemovedBySecondWriter: membership,
          bySecondWriterWithHostLoginIndexFollowing: withIndex,
        },
      },
    };
  } finally {
    await wired.close();
    await store.close();
  }
}

/**
 * The host-state computation (rbac/host-logins.ts) on the large tenant: who may log in to each of
 * N machines, as when their agents connect (watch), then one group's login role at a resource
 * group committed: the time until every watched machine's logins reflect it.
 */
async function hostLoginFigures(
  engine: RbacEngine,
  store: Store,
  tenantId: string,
  data: Seeded,
  s: Sizes,
  commit: (a: RoleAssignment) => Promise<unknown>,
) {
  const directory: HostLoginDirectory = {
    principals: async (ids) =>
      ids.length === 0 ? [] : (await store.directory.getPrincipals(tenantId, ids)).map(principalState),
    members: async () => {
      throw new Error("members are read from the engine's memory");
    },
  };
  let deltas = 0;
  const index = new HostLoginIndex({
    engine,
    directory,
    onDelta: () => deltas++,
    onError: (error) => {
      throw error;
    },
  });
  await engine.follow(index);
  const rand = prng(5);
  const machines = Array.from({ length: s.watchedMachines }, () => data.vms[rand(data.vms.length)] as string);
  const watch: number[] = [];
  let logins = 0;
  for (const m of machines) logins += (await timed(watch, () => index.watch(m))).logins.length;
  // A group's login role on the resource group of the first watched machine.
  const rg = (machines[0] as string).slice(0, (machines[0] as string).indexOf("/providers/"));
  const group = data.groups[rand(data.groups.length)] as string;
  const t = performance.now();
  const before = deltas;
  await commit({
    ...assignment(tenantId, group, rg, R.virtualMachineAdministratorLogin),
    principalType: "Group",
  });
  await engine.sync();
  await index.idle();
  const settleMs = round(performance.now() - t);
  return {
    what: "HostLoginIndex.watch(machine): every principal that may log in and at what level (grantees from the index, members and closures from memory, principals from the store)",
    watchedMachines: machines.length,
    loginsPerMachine: round(logins / machines.length, 1),
    watch: percentiles(watch),
    groupRoleAtResourceGroup: { commitToSettledMs: settleMs, machinesChanged: deltas - before },
  };
}

/** A user granted only through a group; the second writer removes the membership; the next decision refuses. */
async function membershipFreshness(
  engine: RbacEngine,
  data: Seeded,
  tenantId: string,
  second: SecondWriter,
  heard: (() => Promise<void>) | undefined,
) {
  const rand = prng(11);
  let reflected = 0;
  let rounds = 0;
  const missed: object[] = [];
  for (let r = 0; r < 10; r++) {
    const user = data.users[rand(data.users.length)] as string;
    const group = data.groups[rand(data.groups.length)] as string;
    const vm = data.vms[rand(data.vms.length)] as string;
    const principal = { id: user, type: "User" as const };
    if ((await engine.check(principal, LOGIN_ACTION, vm)).allowed) continue;
    // Not already in the group through nesting: then removing the direct membership would not refuse.
    if ([...(await engine.groupsOf(user))].includes(group)) continue;
    const a = { ...assignment(tenantId, group, vm), principalType: "Group" as const };
    await second.send({ op: "assign", assignment: a });
    await second.send({ op: "addMember", tenantId, groupId: group, memberId: user });
    await heard?.();
    const granted = (await engine.check(principal, LOGIN_ACTION, vm)).allowed;
    await second.send({ op: "removeMember", tenantId, groupId: group, memberId: user });
    await heard?.();
    const refused = !(await engine.check(principal, LOGIN_ACTION, vm)).allowed;
    await second.send({ op: "unassign", tenantId, id: a.id });
    rounds += 2;
    reflected += Number(granted) + Number(refused);
    if (!granted || !refused) missed.push({ user, group, vm, granted, refused });
  }
  return { changes: rounds, reflected, ...(missed.length > 0 ? { missed } : {}) };
}

async function overHttp(
  url: string,
  dataDir: string,
  tenant: Tenant,
  data: Seeded,
  s: Sizes,
  verdicts: readonly boolean[],
  second: SecondWriter,
) {
  let t = performance.now();
  const server = await startServer({ dataDir, database: url, listen: "127.0.0.1:0", logLevel: "silent" });
  const startSeconds = seconds(t);
  try {
    // An application with Owner at "/" asks about users (checkAccess with an assignee).
    const ca = await readFile(join(dataDir, "tls", "server-cert.pem"), "utf8");
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca });
    const api = await servicePrincipalApi(server, dataDir, "owner", { atRoot: true, agent });
    const check = async (x: Sample): Promise<CheckResult> => {
      const reply = await api("POST", `${x.vm}/providers/Authorization/checkAccess`, {
        action: x.op,
        assignee: x.user,
      });
      if (reply.status !== 200) throw new Error(`checkAccess: ${reply.status} ${JSON.stringify(reply.body)}`);
      return reply.body as unknown as CheckResult;
    };
    t = performance.now();
    await check(data.samples[0] as Sample); // the tenant's engine is open (bootstrap), warm the route
    const firstSeconds = seconds(t);
    for (let i = 1; i < 200; i++) await check(data.samples[i] as Sample);
    const times: number[] = [];
    let differ = 0;
    const n = Math.min(s.httpSamples, data.samples.length);
    for (let i = 0; i < n; i++) {
      const r = await timed(times, () => check(data.samples[i] as Sample));
      if (r.allowed !== verdicts[i]) differ++;
    }
    const fresh = await freshness(
      Math.max(5, s.freshnessRounds >> 1),
      tenant.tenantId,
      data,
      async (user, vm) => (await check({ user, vm, op: LOGIN_ACTION })).allowed,
      {
        assign: (a) => second.send({ op: "assign", assignment: a }),
        unassign: (id) => second.send({ op: "unassign", tenantId: tenant.tenantId, id }),
      },
      server.store.changeNotices === undefined
        ? undefined
        : noticeOf(server.store, tenant.tenantId, async () => {
            const health = (await api("GET", "/health")).body as { decisions?: { heardVersion?: number } };
            return Number(health.decisions?.heardVersion ?? 0);
          }),
    );
    agent.destroy();
    return {
      serverStartSeconds: startSeconds,
      firstRequestSeconds: firstSeconds,
      what: "POST {vm}/providers/Authorization/checkAccess {action, assignee}, sequential, one keep-alive TLS connection (token check, assignee lookup, RBAC read of the caller, the decision)",
      ...percentiles(times),
      verdictsDifferingFromInProcess: differ,
      freshnessBySecondWriterProcess: fresh,
    };
  } finally {
    await server.close();
  }
}

export async function run(args: string[]): Promise<object> {
  const s = sizes(args);
  const database = option(args, "database");
  const dataDir = await mkdtemp(join(tmpdir(), "hostpass-bench-check-"));
  const url = database ? freshSchema(database) : sqliteUrlForDataDir(dataDir);
  const loadAtStart = load();
  let second: SecondWriter | undefined;
  try {
    let t = performance.now();
    const tenant = await makeTenant(dataDir, url, s);
    const data = await seed(url, tenant, s);
    const seedSeconds = seconds(t);
    second = await startSecondWriter(url);
    const { verdicts, result } = await inProcess(url, dataDir, tenant, data, s, second);
    const loadAfterInProcess = load();
    fullGc();
    t = performance.now();
    const http = await overHttp(url, dataDir, tenant, data, s, verdicts, second);
    return {
      store: database ? "PostgreSQL" : "SQLite",
      target: { warmP99Ms: TARGET_P99_MS, firstDecisionAfterCommitReflectsIt: true },
      dataset: {
        roleAssignments: data.assignments,
        assignmentsByScope: data.assignmentsByScope,
        machines: s.machines,
        resourceGroups: s.resourceGroups,
        subscriptions: s.subscriptions,
        managementGroups: tenant.managementGroups,
        users: s.users,
        groups: s.groups,
        memberships: data.memberships,
        groupNesting: "user -> 1-3 leaf groups (1% of users: 30) -> mid group -> top group",
        seeding: {
          how: "bulk insert (bench/lib-seed.ts), no change-log entries: read from the snapshot",
          seconds: seedSeconds,
          rows: data.rows,
        },
      },
      inProcess: result,
      http,
      load: { atStart: loadAtStart, afterInProcess: loadAfterInProcess, atEnd: load() },
      memory: { rssMB: Math.round(process.memoryUsage().rss / 2 ** 20) },
    };
  } finally {
    await second?.close();
    if (database) await dropSchema(url).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }
}
