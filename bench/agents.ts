/**
 * `npm run bench -- agents [--agents=10000] [--groups=100] [--rounds=10] [--workers=4]
 * [--database=postgres://…]`: one `hostpass server` process (this one) holding N connected host
 * agents (issue 10 item 6), and one role change reaching every affected agent.
 *
 * The machines (in `groups` resource groups), their managed identities, login extensions and
 * agent credentials are written through the store (test/helpers/simulated-agents.ts); the agents
 * run in `workers` child processes and speak the real protocol with the agent's own client code:
 * a token by private_key_jwt at the token endpoint, then the host channel's event stream over
 * HTTPS. Measured:
 * - the server's memory per connected agent (RSS and V8 heap after a full GC, before and after);
 * - per round, a role at the subscription given to (or taken from) one user through the API: the
 *   time from the API call to each agent's receipt of the patch naming the user, and to the last
 *   agent's (target: p99 of that <= 2 s), and the server's CPU time for the round;
 * - a role at one resource group: its agents hear it, no other agent does.
 * The file-descriptor limit is raised to the hard limit (the bench runs itself again under
 * `ulimit -n` when the soft one is too low).
 */
import { type ChildProcess, fork, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createUser } from "../src/directory/index.ts";
import { startServer } from "../src/server/index.ts";
import { servicePrincipalApi } from "../test/helpers/api-client.ts";
import { makeTempDir, removeDir } from "../test/helpers/openssh.ts";
import {
  type SimulatedAgentSpec,
  seedJoinedMachines,
  wallClockMs,
} from "../test/helpers/simulated-agents.ts";
import { freshSchema, median, numberOption, percentile, round, stringOption } from "./lib-measure.ts";

const TARGET_P99_MS = 2000;

function openFileLimits(): { soft: number; hard: number } {
  const line = readFileSync("/proc/self/limits", "utf8")
    .split("\n")
    .find((l) => l.startsWith("Max open files"));
  const [soft, hard] = (line?.match(/\d+|unlimited/g) ?? []).map((v) =>
    v === "unlimited" ? Infinity : Number(v),
  );
  return { soft: soft ?? 1024, hard: hard ?? 1024 };
}

/** Runs this benchmark again under `ulimit -n <hard>` when the soft limit cannot hold the streams. */
function raisedOrExit(needed: number): void {
  const { soft, hard } = openFileLimits();
  if (soft >= needed) return;
  if (hard < needed || process.env.HOSTPASS_BENCH_ULIMIT)
    throw new Error(`agents: ${needed} open files needed, the limit is ${soft} (hard ${hard})`);
  const r = spawnSync(
    "bash",
    ["-c", `ulimit -n ${hard === Infinity ? needed : hard} && exec "$@"`, "bash", ...process.argv],
    { stdio: "inherit", env: { ...process.env, HOSTPASS_BENCH_ULIMIT: "1" } },
  );
  process.exit(r.status ?? 1);
}

/** Full garbage collection (the flag set at run time, the function taken from a fresh context). */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
  gc();
}

function memory() {
  collectGarbage();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external + m.arrayBuffers };
}

/**
 * `HOSTPASS_BENCH_PROFILE=<file>`: a CPU profile of this process (the server) over the rounds
 * only, written as a `.cpuprofile` (Chrome DevTools, speedscope).
 */
async function startProfile(): Promise<{ stop(): Promise<void> } | undefined> {
  const file = process.env.HOSTPASS_BENCH_PROFILE;
  if (!file) return undefined;
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  return {
    async stop() {
      const { profile } = await session.post("Profiler.stop");
      await writeFile(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

interface Worker {
  readonly child: ChildProcess;
  next<T>(type: string): Promise<T>;
}

function startWorker(): Worker {
  const child = fork(join(import.meta.dirname, "lib-agents-worker.ts"), [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const waiting: { type: string; resolve: (m: never) => void; reject: (e: Error) => void }[] = [];
  child.on("message", (m: { type: string; message?: string }) => {
    if (m.type === "error") {
      for (const w of waiting.splice(0)) w.reject(new Error(`agents worker: ${m.message}`));
      return;
    }
    const i = waiting.findIndex((w) => w.type === m.type);
    if (i >= 0) waiting.splice(i, 1)[0]?.resolve(m as never);
  });
  child.on("exit", (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`agents worker exited (${code})`));
  });
  return {
    child,
    next: <T>(type: string) => new Promise<T>((resolve, reject) => waiting.push({ type, resolve, reject })),
  };
}

export async function run(args: string[]): Promise<object> {
  const count = numberOption(args, "agents", 10_000);
  const groups = Math.max(1, numberOption(args, "groups", 100));
  const rounds = Math.max(2, numberOption(args, "rounds", 10));
  const workerCount = Math.max(1, numberOption(args, "workers", 4));
  const database = stringOption(args, "database");
  raisedOrExit(count + 2000);
  const schema = database ? freshSchema(database, "agents") : undefined;
  const dir = await makeTempDir("hostpass-bench-agents-");
  const running = await startServer({
    dataDir: dir,
    listen: "127.0.0.1:0",
    logLevel: "silent",
    ...(schema ? { database: schema.url } : {}),
  });
  const workers: Worker[] = [];
  try {
    const api = await servicePrincipalApi(running, dir, "owner", { atRoot: true });
    const sub = `/subscriptions/${running.bootstrap.subscriptionId}`;
    let t = performance.now();
    const specs = await seedJoinedMachines(running, {
      count,
      resourceGroups: groups,
      progress: (n) => {
        if (n % 2000 === 0) process.stderr.write(`agents: ${n} machines written\n`);
      },
    });
    const seedSeconds = round((performance.now() - t) / 1000);
    const user = await createUser(running.store.directory, {
      tenantId: running.bootstrap.tenant.id,
      upn: "fanout@contoso.example",
      displayName: "Fan-out",
    });
    const before = memory();

    // connect: each worker its share, a few handshakes at a time
    t = performance.now();
    const share = Math.ceil(count / workerCount);
    const caFile = join(dir, "tls", "server-cert.pem");
    const connected: Promise<{ count: number }>[] = [];
    for (let w = 0; w < workerCount; w++) {
      const slice: SimulatedAgentSpec[] = specs.slice(w * share, (w + 1) * share);
      if (slice.length === 0) break;
      const worker = startWorker();
      workers.push(worker);
      connected.push(worker.next("connected"));
      worker.child.send({
        type: "connect",
        specs: slice,
        server: running.url,
        caFile,
        firstIndex: w * share,
        concurrency: 8,
      });
    }
    const connectedCount = (await Promise.all(connected)).reduce((n, c) => n + c.count, 0);
    const connectSeconds = round((performance.now() - t) / 1000);
    const health = await api("GET", "/health");
    const streams = (health.body.hostChannel as { streams?: number } | undefined)?.streams;
    const after = memory();

    /** The agents that heard of `objectId` since `since`, with when (epoch ms). */
    const collect = async (objectId: string, since: number) => {
      const all = await Promise.all(
        workers.map((w) => {
          const r = w.next<{ list: [number, number][]; failures: number }>("receipts");
          w.child.send({ type: "collect", objectId, since });
          return r;
        }),
      );
      return {
        list: all.flatMap((r) => r.list),
        failures: all.reduce((n, r) => n + r.failures, 0),
      };
    };
    const untilHeard = async (objectId: string, since: number, expected: number) => {
      const deadline = performance.now() + 120_000;
      for (;;) {
        const got = await collect(objectId, since);
        if (got.list.length >= expected || performance.now() > deadline) return got;
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    // subscription-wide rounds: given, taken, given, ...
    const last: number[] = [];
    const each: number[] = [];
    const cpuMs: number[] = [];
    const loads: number[] = [];
    let failures = 0;
    let assignment: string | undefined;
    const profiler = await startProfile();
    for (let r = 0; r < rounds; r++) {
      const cpu = process.cpuUsage();
      const started = wallClockMs();
      if (assignment === undefined) {
        const id = `${sub}/providers/Authorization/roleAssignments/${randomUUID()}`;
        const put = await api("PUT", id, { role: "Virtual Machine User Login", assignee: user.id });
        if (put.status !== 201) throw new Error(`PUT ${put.status} ${JSON.stringify(put.body)}`);
        assignment = id;
      } else {
        const del = await api("DELETE", assignment);
        if (del.status !== 200) throw new Error(`DELETE ${del.status}`);
        assignment = undefined;
      }
      const heard = await untilHeard(user.id, started, connectedCount);
      if (heard.list.length < connectedCount)
        throw new Error(`round ${r}: ${heard.list.length} of ${connectedCount} agents heard the change`);
      const used = process.cpuUsage(cpu);
      cpuMs.push((used.user + used.system) / 1000);
      const times = heard.list.map(([, at]) => at - started);
      each.push(...times);
      last.push(Math.max(...times));
      failures = heard.failures;
      loads.push(loadavg()[0] as number);
      await new Promise((res) => setTimeout(res, 500));
    }

    await profiler?.stop();
    const afterRounds = memory();

    // one resource group: its agents, and no other
    const groupStarted = wallClockMs();
    const put = await api(
      "PUT",
      `${sub}/resourceGroups/agents-rg0/providers/Authorization/roleAssignments/${randomUUID()}`,
      {
        role: "Virtual Machine Administrator Login",
        assignee: user.id,
      },
    );
    if (put.status !== 201) throw new Error(`PUT ${put.status}`);
    const inGroup = new Set(specs.map((_, i) => i).filter((i) => i % groups === 0));
    const heardGroup = await untilHeard(user.id, groupStarted, inGroup.size);
    await new Promise((res) => setTimeout(res, 2000)); // anything else would have come by now
    const settledGroup = await collect(user.id, groupStarted);
    const outside = settledGroup.list.filter(([agent]) => !inGroup.has(agent)).length;
    const groupMs = Math.max(...heardGroup.list.map(([, at]) => at - groupStarted));

    return {
      store: schema ? "postgres" : "sqlite",
      agents: count,
      connected: connectedCount,
      serverStreams: streams,
      resourceGroups: groups,
      workers: workers.length,
      openFileLimit: openFileLimits().soft,
      seedSeconds,
      connectSeconds,
      memoryPerAgentKiB: {
        rss: round((after.rss - before.rss) / connectedCount / 1024, 1),
        heap: round((after.heapUsed - before.heapUsed) / connectedCount / 1024, 1),
        external: round((after.external - before.external) / connectedCount / 1024, 1),
      },
      serverRssMiB: {
        before: round(before.rss / 2 ** 20, 0),
        connected: round(after.rss / 2 ** 20, 0),
        afterRounds: round(afterRounds.rss / 2 ** 20, 0),
      },
      /** What the rounds' patches left (each feed keeps its recent patches for a reconnect's replay). */
      heapGrowthPerAgentPerRoundBytes: round(
        (afterRounds.heapUsed - after.heapUsed) / connectedCount / rounds,
        0,
      ),
      subscriptionRoleChange: {
        rounds,
        lastAgentMs: {
          median: round(median(last)),
          p99: round(percentile(last, 0.99)),
          max: round(Math.max(...last)),
        },
        everyReceiptMs: {
          n: each.length,
          p50: round(percentile(each, 0.5)),
          p99: round(percentile(each, 0.99)),
        },
        serverCpuMsPerRound: round(median(cpuMs)),
      },
      resourceGroupRoleChange: {
        affected: inGroup.size,
        heard: heardGroup.list.length,
        unaffectedThatHeard: outside,
        lastAgentMs: round(groupMs),
      },
      streamFailures: failures,
      loadAverage1m: { median: round(median(loads), 2), max: round(Math.max(...loads), 2) },
      targetP99Ms: TARGET_P99_MS,
      ratio: round(percentile(last, 0.99) / TARGET_P99_MS),
      meetsTarget: percentile(last, 0.99) <= TARGET_P99_MS && outside === 0,
    };
  } finally {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((res) => {
            if (w.child.exitCode !== null) return res();
            w.child.once("exit", () => res());
            w.child.send({ type: "close" });
            setTimeout(() => w.child.kill("SIGKILL"), 20_000).unref();
          }),
      ),
    );
    await running.close();
    await removeDir(dir);
    await schema?.drop();
  }
}
