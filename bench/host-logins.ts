/**
 * `npm run bench -- host-logins [--machines=N] [--users=U]`: the service side of "agents connected
 * to one server process, each receiving a change" (PRODUCT.md §7: >= 10,000), without the network:
 * a HostLoginIndex (rbac/host-logins.ts) watching N machines (default 10,000) in 100 resource
 * groups, U users (default 1,000) holding User Login through a group at the subscription and
 * Administrator Login on their own machine. Measured, each after the engine's pull settles:
 * watching all N machines (the first stream of each), one user disabled (a principal change:
 * checked on every machine), one membership removed, and one subscription-scope assignment
 * removed (every machine recomputed). The directory is in memory with a 0.2 ms round trip per
 * read, so the figures count reads the way a store would make them pay.
 */
import { randomUUID } from "node:crypto";
import {
  BUILT_IN_ROLE_IDS,
  deleteRoleAssignment,
  type HostLoginDelta,
  HostLoginIndex,
  type LoginCandidate,
  MemoryRbacRepository,
  RbacEngine,
  SYSTEM_ACTOR,
} from "../src/rbac/index.ts";
import { numberOption, round } from "./lib-measure.ts";

const TENANT = "bench";
const SUB = "/subscriptions/bench";

const roundTrip = () => new Promise((r) => setTimeout(r, 0.2));

export async function run(args: string[]): Promise<object> {
  const machines = numberOption(args, "machines", 10_000);
  const users = numberOption(args, "users", 1_000);
  const repository = new MemoryRbacRepository();
  const principals = new Map<string, LoginCandidate>();
  const memberOf = new Map<string, string[]>();
  const members = new Map<string, string[]>();
  let reads = 0;
  const engine = await RbacEngine.open({
    repository,
    tenantId: TENANT,
    groups: async (_t, id) => {
      reads++;
      await roundTrip();
      return memberOf.get(id) ?? [];
    },
    ancestry: () => [],
  });
  const team = randomUUID();
  principals.set(team, { id: team, kind: "group", displayName: "team", enabled: true });
  const vm = (i: number) => `${SUB}/resourceGroups/rg${i % 100}/providers/Compute/virtualMachines/vm${i}`;
  const assign = (role: string, principalId: string, scope: string, principalType: "User" | "Group") =>
    engine.repository.createRoleAssignment({
      id: randomUUID(),
      tenantId: TENANT,
      roleDefinitionId: role,
      principalId,
      principalType,
      scope,
      createdAt: new Date(0).toISOString(),
      createdBy: "bench",
      description: "",
    });
  const ids: string[] = [];
  for (let u = 0; u < users; u++) {
    const id = randomUUID();
    ids.push(id);
    principals.set(id, {
      id,
      kind: "user",
      displayName: `u${u}`,
      enabled: true,
      linuxName: `u${u}`,
      uid: 100_000 + u,
    });
    memberOf.set(id, [team]);
    members.set(team, [...(members.get(team) ?? []), id]);
    await assign(BUILT_IN_ROLE_IDS.virtualMachineAdministratorLogin, id, vm(u), "User");
  }
  await assign(BUILT_IN_ROLE_IDS.virtualMachineUserLogin, team, SUB, "Group");
  await engine.sync();
  const directory = {
    async principals(list: readonly string[]) {
      reads++;
      await roundTrip();
      return list.map((id) => principals.get(id)).filter((p): p is LoginCandidate => p !== undefined);
    },
    async members(groupId: string) {
      reads++;
      await roundTrip();
      return members.get(groupId) ?? [];
    },
  };
  let deltas = 0;
  const index = new HostLoginIndex({
    engine,
    directory,
    onDelta: (_d: HostLoginDelta) => {
      deltas++;
    },
    onError: (e) => {
      throw e;
    },
  });
  await engine.follow(index);
  const timed = async (work: () => Promise<unknown>) => {
    reads = 0;
    deltas = 0;
    const started = performance.now();
    await work();
    await engine.sync();
    await index.idle();
    return { ms: round(performance.now() - started), reads, machinesChanged: deltas };
  };
  const watch = await timed(async () => {
    for (let i = 0; i < machines; i++) await index.watch(vm(i));
  });
  const victim = ids[0] as string;
  const disable = await timed(async () => {
    const p = principals.get(victim) as LoginCandidate;
    principals.set(victim, { ...p, enabled: false });
    repository.recordOther(TENANT, { kind: "principal.put", principal: { ...p, enabled: false } });
  });
  const other = ids[1] as string;
  const membership = await timed(async () => {
    memberOf.set(other, []);
    members.set(
      team,
      (members.get(team) ?? []).filter((m) => m !== other),
    );
    repository.recordOther(TENANT, { kind: "membership.removed", groupId: team, memberId: other });
  });
  const subscriptionRole = [...engine.index.all()].find((a) => a.principalId === team);
  const removal = await timed(() =>
    deleteRoleAssignment(engine, SYSTEM_ACTOR, subscriptionRole?.id as string),
  );
  return {
    machines,
    users,
    watchAll: watch,
    userDisabled: disable,
    membershipRemoved: membership,
    subscriptionRoleRemoved: removal,
  };
}
