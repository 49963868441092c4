/**
 * Certificate issuances per second through the HTTPS API, hostpass ÷ smallstep step-ca, measured
 * in alternating rounds in one run (hostpass, step-ca, hostpass, step-ca, ...: drift in how busy
 * the shared machine is hits both alike). PRODUCT.md §7: target >= 1.0, aim 1.5.
 *
 * hostpass: a real `hostpass server` child process over HTTPS (its generated certificate trusted
 * by the client), SQLite by default (`--database postgres://...` for PostgreSQL). Each issuance
 * does everything a user's does: access-token check, DPoP proof of possession made with a fresh
 * Ed25519 key (with replay record), principal lookup, conditional access, signing, and the ledger
 * row + activity-log event + sign-in entry committed together. One service principal's token is
 * used for every request, as a client reuses its token for its hour.
 * step-ca: `shared/peers/step-ca/run.sh` (its README: one-time ES256 token and fresh Ed25519 key
 * per request, badger with sync writes), at the same concurrency (16) and request count.
 * Proofs, keys and step-ca's tokens are all made while the clock is stopped (hostpass's proofs in
 * chunks of 500 just before they are sent: a proof is accepted for 60 s).
 *
 * Per side: issuances/s, p50/p99 latency, server CPU per issuance (from /proc: the hostpass
 * server process, all its threads, during the measured window; step-ca's process over its busiest window of the
 * same length, sampled every 50 ms), and durability. Usage:
 *   npm run bench -- issue [--quick] [--rounds 2] [--total 3000] [--database URL] [--workers N] [--no-peer]
 * `--workers`: the server's `--issuance-workers` (default 0: in-process).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync, sign } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { Agent } from "node:https";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { createKeyProof } from "../src/ca/index.ts";
import { discover, signInServicePrincipal } from "../src/cli/session/oauth.ts";
import { addClientSecret, createServicePrincipal } from "../src/directory/index.ts";
import { loadOrCreateKek } from "../src/server/keys/kek.ts";
import { LINUX_VM_SIGN_IN_RESOURCE, LINUX_VM_SIGN_IN_SCOPE } from "../src/shared/well-known.ts";
import { formatPublicKey, generateKeyPair } from "../src/ssh/index.ts";
import { openStore, sqliteUrlForDataDir } from "../src/store/index.ts";
import { postJson } from "../test/helpers/https-post.ts";
import { median, ratePerSecond, round } from "./lib-measure.ts";

const TARGET = 1.0;
const AIM = 1.5;
const CONCURRENCY = 16;
const WARMUP = 50;
/** Keys (each with its DPoP-bound token) the requests cycle through. */
const KEY_POOL = 64;
/** Requests whose proofs are made together, then sent (the clock runs only while they are sent). */
const CHUNK = 500;
const CLOCK_TICKS = 100; // USER_HZ on Linux

interface Side {
  issuancesPerSec: number;
  requests: number;
  failures: number;
  latencyMs: { p50: number; p99: number };
  cpuMsPerIssuance: number | null;
  /** The first refused request's status and answer, if any. */
  firstFailure?: string;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** CPU time (user + system) of a process, in ms; undefined once it is gone. */
function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** The pid of a process named `name` whose parent is `parent` (from /proc). */
function childNamed(parent: number, name: string): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (comm === name && Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === parent)
        return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

function findPeer(): string | undefined {
  const explicit = process.env.HOSTPASS_STEPCA_RUN;
  if (explicit) return explicit;
  for (const up of ["../shared", "../../shared"]) {
    const path = resolve(up, "peers/step-ca/run.sh");
    if (existsSync(path)) return path;
  }
  return undefined;
}

async function startServer(
  dataDir: string,
  database: string | undefined,
  workers: number,
): Promise<{ child: ChildProcess; url: string; tenantId: string }> {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.HOSTPASS_BENCH_PROFILE
        ? ["--cpu-prof", `--cpu-prof-dir=${process.env.HOSTPASS_BENCH_PROFILE}`]
        : []),
      "src/cli/main.ts",
      "server",
      "--listen",
      "127.0.0.1:0",
      "--data-dir",
      dataDir,
      ...(database ? ["--database", database] : []),
      "--issuance-workers",
      String(workers),
    ],
    {
      env: { ...process.env, HOSTPASS_ADMIN_PASSWORD: "bench admin password" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let out = "";
  child.stdout?.setEncoding("utf8");
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`hostpass server exited with ${code}`)));
    child.stdout?.on("data", (chunk: string) => {
      out += chunk;
      const url = /listening on (https:\/\/\S+)/.exec(out)?.[1];
      const tenantId = /tenant: .* \(([0-9a-f-]{36})\)/.exec(out)?.[1];
      if (url && tenantId) resolve({ child, url, tenantId });
    });
  });
}

async function measureHostpass(total: number, database: string | undefined, workers: number): Promise<Side> {
  const dataDir = await mkdtemp(join(tmpdir(), "hostpass-bench-issue-"));
  const server = await startServer(dataDir, database, workers);
  const pid = server.child.pid as number;
  try {
    // Setup through the store (another process may open the SQLite file): a service principal and its secret.
    const store = await openStore({
      url: database ?? sqliteUrlForDataDir(dataDir),
      keyEncryptionKey: await loadOrCreateKek(dataDir, {}),
    });
    const sp = await createServicePrincipal(store.directory, {
      tenantId: server.tenantId,
      displayName: "bench",
    });
    const { secret } = await addClientSecret(store.directory, {
      tenantId: server.tenantId,
      principalId: sp.id,
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    await store.close();
    const caFile = join(dataDir, "tls", "server-cert.pem");
    const conn = await discover(server.url, caFile);
    const endpoint = new URL(`${server.url}/ssh/certificates`);
    // Linux VM Sign-In tokens are DPoP-bound to the key they certify: a pool of keys, each with
    // its own token (as clients renewing certificates for their keys hold them); every request
    // a fresh proof made with its key, made now (before the clock starts).
    const pool = await Promise.all(
      Array.from({ length: KEY_POOL }, async () => {
        const key = generateKeyPair("ssh-ed25519");
        const token = (
          await signInServicePrincipal(
            conn,
            sp.appId,
            { secret },
            LINUX_VM_SIGN_IN_RESOURCE,
            LINUX_VM_SIGN_IN_SCOPE,
            key.privateKey,
          )
        ).access_token;
        return { key, token };
      }),
    );
    // Proofs are made in chunks just before each is sent, the clock stopped meanwhile: a proof's
    // iat must be within 60 s of the server's clock, which a loaded machine can overrun when all
    // of them are made up front.
    let made = 0;
    const makeChunk = async (n: number) => {
      const chunk: { body: string; proof: string; token: string }[] = [];
      for (let i = 0; i < n; i++, made++) {
        const { key, token } = pool[made % KEY_POOL] as (typeof pool)[number];
        chunk.push({
          body: JSON.stringify({ publicKey: formatPublicKey(key.publicKey) }),
          token,
          proof: await createKeyProof(key.privateKey, key.publicKey, {
            method: "POST",
            url: endpoint.href,
            accessToken: token,
          }),
        });
      }
      return chunk.reverse(); // popped from the end: oldest first
    };
    type Request = Awaited<ReturnType<typeof makeChunk>>[number];
    let firstFailure: string | undefined;
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca: readFileSync(caFile) });
    const send = (r: Request) =>
      postJson(agent, endpoint, { authorization: `DPoP ${r.token}`, dpop: r.proof }, r.body).then((a) => {
        if (a.status !== 201) firstFailure ??= `${a.status} ${a.text.slice(0, 300)}`;
        return a.status;
      });
    for (const r of (await makeChunk(WARMUP)).reverse()) {
      const status = await send(r);
      if (status !== 201) throw new Error(`warm-up issuance failed: ${status}`);
    }
    const latencies: number[] = [];
    let failures = 0;
    let cpu = 0;
    let elapsedMs = 0;
    while (made < total + WARMUP) {
      const requests = await makeChunk(Math.min(CHUNK, total + WARMUP - made));
      const cpuBefore = cpuMs(pid) ?? 0;
      const start = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let r = requests.pop(); r; r = requests.pop()) {
            const t = performance.now();
            if ((await send(r)) !== 201) failures++;
            latencies.push(performance.now() - t);
          }
        }),
      );
      elapsedMs += performance.now() - start;
      cpu += (cpuMs(pid) ?? cpuBefore) - cpuBefore;
    }
    const seconds = elapsedMs / 1000;
    agent.destroy();
    const issued = latencies.length - failures;
    latencies.sort((a, b) => a - b);
    return {
      issuancesPerSec: Math.round(issued / seconds),
      requests: latencies.length,
      failures,
      ...(firstFailure ? { firstFailure } : {}),
      latencyMs: { p50: round(percentile(latencies, 50), 2), p99: round(percentile(latencies, 99), 2) },
      cpuMsPerIssuance: issued > 0 ? round(cpu / issued, 3) : null,
    };
  } finally {
    server.child.kill("SIGTERM");
    await new Promise((r) => (server.child.exitCode !== null ? r(undefined) : server.child.once("exit", r)));
    await rm(dataDir, { recursive: true, force: true });
    if (database) await dropSchema(database);
  }
}

/** Runs the peer's own benchmark; samples its step-ca process's CPU meanwhile. */
async function measureStepCa(runSh: string, total: number): Promise<Side & { raw: unknown }> {
  const child = spawn("sh", [runSh, "--total", String(total)], {
    env: { ...process.env, NODE: process.execPath },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (err += c));
  // run.sh execs node (same pid), which spawns step-ca: follow the step-ca child's CPU.
  const samples: { t: number; cpu: number }[] = [];
  let caPid: number | undefined;
  const timer = setInterval(() => {
    caPid ??= childNamed(child.pid as number, "step-ca");
    const cpu = caPid === undefined ? undefined : cpuMs(caPid);
    if (cpu !== undefined) samples.push({ t: performance.now(), cpu });
  }, 50);
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  clearInterval(timer);
  if (code !== 0) throw new Error(`step-ca benchmark failed (${code}): ${err.slice(-2000)}`);
  const result = JSON.parse(out) as {
    issuancesPerSec: number;
    requests: number;
    failures: number;
    latencyMs: { p50: number; p99: number };
  };
  // The busiest window as long as the measurement: the load phase.
  const windowMs = (result.requests / Math.max(1, result.issuancesPerSec)) * 1000;
  let busiest = 0;
  for (let i = 0, j = 0; i < samples.length; i++) {
    while (
      j < samples.length &&
      (samples[j] as { t: number }).t - (samples[i] as { t: number }).t <= windowMs
    )
      j++;
    const last = samples[j - 1] as { cpu: number };
    busiest = Math.max(busiest, last.cpu - (samples[i] as { cpu: number }).cpu);
  }
  const issued = result.requests - result.failures;
  return {
    issuancesPerSec: result.issuancesPerSec,
    requests: result.requests,
    failures: result.failures,
    latencyMs: result.latencyMs,
    cpuMsPerIssuance: samples.length > 1 && issued > 0 ? round(busiest / issued, 3) : null,
    raw: result,
  };
}

/**
 * A PostgreSQL URL with a schema of its own for one round: each round's server makes its own
 * key-encryption key, which cannot open what an earlier round sealed. Dropped after the round.
 */
function freshSchema(database: string, round: number): string {
  if (!/^postgres(ql)?:\/\//.test(database)) return database;
  const url = new URL(database);
  url.searchParams.set("schema", `hostpass_bench_${process.pid}_${round}`);
  return url.toString();
}

async function dropSchema(database: string): Promise<void> {
  if (!/^postgres(ql)?:\/\//.test(database)) return;
  const url = new URL(database);
  const schema = url.searchParams.get("schema") as string;
  url.searchParams.delete("schema");
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

function summary(sides: readonly Side[]) {
  const pick = (f: (s: Side) => number) => round(median(sides.map(f)), 2);
  return {
    issuancesPerSec: Math.round(median(sides.map((s) => s.issuancesPerSec))),
    rounds: sides.map((s) => s.issuancesPerSec),
    failures: sides.reduce((n, s) => n + s.failures, 0),
    firstFailures: sides.flatMap((s) => (s.firstFailure ? [s.firstFailure] : [])),
    latencyMs: { p50: pick((s) => s.latencyMs.p50), p99: pick((s) => s.latencyMs.p99) },
    cpuMsPerIssuance: sides.every((s) => s.cpuMsPerIssuance !== null)
      ? round(median(sides.map((s) => s.cpuMsPerIssuance as number)), 3)
      : null,
  };
}

export async function run(args: string[]): Promise<object> {
  const arg = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const quick = args.includes("--quick");
  const total = Number(arg("--total") ?? (quick ? 600 : 3000));
  const rounds = Math.max(1, Number(arg("--rounds") ?? 2));
  const database = arg("--database");
  // Default in-process: on the shared 2-core box, worker threads cost more CPU per issuance than
  // they gained (notes/scale.md); `--workers N` measures them.
  const workers = Number(arg("--workers") ?? 0);
  const peer = args.includes("--no-peer") ? undefined : findPeer();
  const loadBefore = loadavg();
  const hostpass: Side[] = [];
  const stepca: Side[] = [];
  for (let r = 0; r < rounds; r++) {
    hostpass.push(await measureHostpass(total, database && freshSchema(database, r), workers));
    if (peer) stepca.push(await measureStepCa(peer, total));
  }
  const raw = generateKeyPairSync("ed25519").privateKey;
  const data = Buffer.alloc(330, 7);
  const rawSignPerSec = median([1, 2, 3].map(() => ratePerSecond(() => sign(null, data, raw), 300)));
  const hp = summary(hostpass);
  const sc = stepca.length > 0 ? summary(stepca) : undefined;
  const perRound = sc
    ? hostpass.map((h, i) => round(h.issuancesPerSec / (stepca[i] as Side).issuancesPerSec))
    : [];
  const ratio = sc ? round(median(perRound)) : null;
  return {
    what: "certificate issuances/s over HTTPS, hostpass ÷ step-ca, alternating rounds at concurrency 16",
    machine: {
      cores: cpus().length,
      loadAverage1mBefore: round(loadBefore[0] ?? 0, 2),
      loadAverage1mAfter: round(loadavg()[0] ?? 0, 2),
      rawEd25519SignPerSec: Math.round(rawSignPerSec),
    },
    requestsPerRound: total,
    hostpass: {
      ...hp,
      store: database ? "PostgreSQL" : "SQLite",
      issuanceWorkers: workers,
      durability: database
        ? "PostgreSQL defaults (synchronous_commit on: each commit fsynced; concurrent issuances share commits)"
        : "SQLite WAL, synchronous=NORMAL: a commit survives a process crash; the last commits before a power loss may be lost (no fsync per commit)",
    },
    stepca: sc
      ? { ...sc, durability: "badger v2 with SyncWrites (step-ca's default): fsync per write" }
      : "not measured (shared/peers/step-ca/run.sh not found, or --no-peer)",
    ratioPerRound: perRound,
    ratio,
    target: TARGET,
    aim: AIM,
    pass: ratio !== null && ratio >= TARGET && hp.failures === 0,
  };
}
