/**
 * One server process, many connected agents (issue 10 item 6, the CI-sized `agents` benchmark):
 * 200 machines with joined agents (test/helpers/simulated-agents.ts: the agent's own client code,
 * private_key_jwt and the event stream, over HTTPS) on a real `hostpass server`. A role at one
 * resource group reaches exactly that group's agents; a role at the subscription reaches every
 * agent, once; an agent that was not concerned hears nothing.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createUser, type User } from "../../src/directory/index.ts";
import { type RunningServer, startServer } from "../../src/server/index.ts";
import { type ApiCall, servicePrincipalApi } from "../helpers/api-client.ts";
import { makeTempDir, removeDir } from "../helpers/openssh.ts";
import {
  connectAgents,
  type Receipt,
  type SimulatedAgentSpec,
  type SimulatedAgents,
  seedJoinedMachines,
} from "../helpers/simulated-agents.ts";
import { createTestDatabase, selectedDialects } from "../store/dialects.ts";

const AGENTS = 200;
const GROUPS = 4;

for (const dialect of selectedDialects())
  describe(`host channel: ${AGENTS} agents on one server, a role change reaches exactly the affected ones (${dialect})`, () => {
    const database = dialect === "postgres" ? createTestDatabase("postgres") : undefined;
    let dir: string;
    let running: RunningServer;
    let api: ApiCall;
    let specs: SimulatedAgentSpec[];
    let agents: SimulatedAgents;
    let user: User;
    let sub: string;
    const seen: Receipt[] = [];

    /** Waits until every agent in `expected` has a receipt naming `objectId` after `from`; answers them. */
    const receiptsFor = async (objectId: string, expected: ReadonlySet<number>, from: number) => {
      const deadline = performance.now() + 20_000;
      for (;;) {
        seen.push(...agents.take());
        const got = new Set(
          seen
            .slice(from)
            .filter((r) => r.objectIds.includes(objectId))
            .map((r) => r.agent),
        );
        if ([...expected].every((a) => got.has(a))) return;
        if (performance.now() > deadline)
          assert.fail(`after 20 s, ${[...expected].filter((a) => !got.has(a)).length} agents still wait`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const naming = (objectId: string, from: number, to = seen.length) => {
      const count = new Map<number, number>();
      for (const r of seen.slice(from, to))
        if (r.objectIds.includes(objectId)) count.set(r.agent, (count.get(r.agent) ?? 0) + 1);
      return count;
    };
    const inGroup = (g: number) => new Set(specs.map((_, i) => i).filter((i) => i % GROUPS === g));
    const everyAgent = () => new Set(specs.map((_, i) => i));
    const assign = async (role: string, scope: string) => {
      const id = `${scope}/providers/Authorization/roleAssignments/${randomUUID()}`;
      const r = await api("PUT", id, { role, assignee: user.id });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return id;
    };

    before(async () => {
      dir = await makeTempDir("hostpass-fanout-");
      running = await startServer({
        dataDir: dir,
        listen: "127.0.0.1:0",
        logLevel: "silent",
        ...(database ? { database: database.url } : {}),
      });
      api = await servicePrincipalApi(running, dir, "owner", { atRoot: true });
      sub = `/subscriptions/${running.bootstrap.subscriptionId}`;
      specs = await seedJoinedMachines(running, { count: AGENTS, resourceGroups: GROUPS });
      const caFile = join(dir, "tls", "server-cert.pem");
      agents = await connectAgents(specs, {
        server: running.url,
        caPem: await readFile(caFile, "utf8"),
        caFile,
      });
      user = await createUser(running.store.directory, {
        tenantId: running.bootstrap.tenant.id,
        upn: "fan@contoso.example",
        displayName: "Fan",
      });
    });
    after(async () => {
      await agents?.close();
      await running?.close();
      await removeDir(dir);
      await database?.drop();
    });

    it("holds every agent's stream", async () => {
      assert.equal(agents.connected, AGENTS);
      const health = await api("GET", "/health");
      assert.equal(health.status, 200, JSON.stringify(health.body));
      assert.equal((health.body.hostChannel as { streams: number }).streams, AGENTS);
      assert.deepEqual(agents.failures, []);
    });

    it("a role at one resource group reaches that group's agents and no other; one at the subscription reaches every agent once", async () => {
      const start = seen.length;
      const rg1 = await assign("Virtual Machine User Login", `${sub}/resourceGroups/agents-rg1`);
      await receiptsFor(user.id, inGroup(1), start);
      // A change every agent hears after the first: any patch of the first change would be before it.
      const mark = seen.length;
      const atSub = await assign("Virtual Machine Administrator Login", sub);
      await receiptsFor(user.id, everyAgent(), mark);
      const first = naming(user.id, start, mark);
      const second = naming(user.id, mark);
      assert.deepEqual(
        [...first.keys()].sort((a, b) => a - b),
        [...inGroup(1)],
        "only resource group 1's agents",
      );
      assert.ok(
        [...first.values()].every((n) => n === 1),
        "once each",
      );
      assert.equal(second.size, AGENTS, "every agent");
      assert.ok(
        [...second.values()].every((n) => n === 1),
        "once each",
      );
      const admins = seen
        .slice(mark)
        .filter((r) => r.objectIds.includes(user.id))
        .map((r) => r.agent);
      assert.equal(new Set(admins).size, AGENTS);

      // removed again: the subscription role from everyone, then the group's from its agents only
      const removedAt = seen.length;
      assert.equal((await api("DELETE", atSub)).status, 200);
      await receiptsFor(user.id, everyAgent(), removedAt);
      const groupAt = seen.length;
      assert.equal((await api("DELETE", rg1)).status, 200);
      await receiptsFor(user.id, inGroup(1), groupAt);
      // and a last change for everyone, after which nothing else of the group removal may arrive
      const lastAt = seen.length;
      const other = await createUser(running.store.directory, {
        tenantId: running.bootstrap.tenant.id,
        upn: "late@contoso.example",
        displayName: "Late",
      });
      const r = await api("PUT", `${sub}/providers/Authorization/roleAssignments/${randomUUID()}`, {
        role: "Virtual Machine User Login",
        assignee: other.id,
      });
      assert.equal(r.status, 201);
      await receiptsFor(other.id, everyAgent(), lastAt);
      const groupRemoval = naming(user.id, groupAt);
      assert.deepEqual(
        [...groupRemoval.keys()].sort((a, b) => a - b),
        [...inGroup(1)],
      );
      assert.deepEqual(agents.failures, []);
    });

    it("sends every quiet stream a heartbeat within 10 s, not all at once", async () => {
      const before = agents.heartbeats();
      const started = performance.now();
      await new Promise((r) => setTimeout(r, 11_500));
      const after = agents.heartbeats();
      const beaten = specs
        .map((_, i) => i)
        .filter((i) => (after.get(i)?.count ?? 0) > (before.get(i)?.count ?? 0));
      assert.equal(beaten.length, AGENTS, `${AGENTS - beaten.length} streams had no heartbeat in 11.5 s`);
      // spread over time (a random part of up to 3 s, checked every second), not one burst
      const times = beaten.map((i) => after.get(i)?.at as number);
      assert.ok(Math.max(...times) - Math.min(...times) > 500, "heartbeats in one burst");
      assert.ok(performance.now() - started < 20_000);
      assert.deepEqual(agents.failures, []);
    });
  });
