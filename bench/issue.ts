/**
 * Certificate issuances per second through the HTTP API ÷ raw Ed25519 signatures per second on
 * one core, in one run. The server is a real `hostpass server` child process (plain HTTP on
 * loopback, SQLite); each issuance does everything a user's does: access-token check, DPoP proof
 * of possession (with replay record), principal lookup, conditional access, signing, ledger and
 * activity-log writes. Clients are a service principal's concurrent requests with proofs made
 * before the clock starts, so client-side signing does not compete with the server.
 * Target: ratio >= 0.25 (PRODUCT.md §7).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync, sign } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKeyProof } from "../src/ca/index.ts";
import { discover, signInServicePrincipal } from "../src/cli/session/oauth.ts";
import { addClientSecret, createServicePrincipal } from "../src/directory/index.ts";
import { loadOrCreateKek } from "../src/server/keys/kek.ts";
import { LINUX_VM_SIGN_IN_RESOURCE, LINUX_VM_SIGN_IN_SCOPE } from "../src/shared/well-known.ts";
import { formatPublicKey, generateKeyPair } from "../src/ssh/index.ts";
import { openStore, sqliteUrlForDataDir } from "../src/store/index.ts";
import { median, ratePerSecond, round } from "./lib-measure.ts";

const TARGET = 0.25;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function startServerProcess(
  dataDir: string,
): Promise<{ child: ChildProcess; url: string; tenantId: string }> {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.HOSTPASS_BENCH_PROFILE
        ? ["--cpu-prof", `--cpu-prof-dir=${process.env.HOSTPASS_BENCH_PROFILE}`]
        : []),
      "src/cli/main.ts",
      "server",
      "--insecure-http",
      "--listen",
      "127.0.0.1:0",
      "--data-dir",
      dataDir,
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
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      const tenantId = /tenant: .* \(([0-9a-f-]{36})\)/.exec(out)?.[1];
      if (url && tenantId) resolve({ child, url, tenantId });
    });
  });
}

function post(agent: Agent, url: URL, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          ...headers,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export async function run(args: string[]): Promise<object> {
  const quick = args.includes("--quick");
  const total = quick ? 600 : 3000;
  const concurrency = 16;
  const dataDir = await mkdtemp(join(tmpdir(), "hostpass-bench-issue-"));
  const server = await startServerProcess(dataDir);
  try {
    // Setup through the store (another process may open the SQLite file): a service principal and its secret.
    const store = await openStore({
      url: sqliteUrlForDataDir(dataDir),
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
    const conn = await discover(server.url);
    const token = (
      await signInServicePrincipal(
        conn,
        sp.appId,
        { secret },
        LINUX_VM_SIGN_IN_RESOURCE,
        LINUX_VM_SIGN_IN_SCOPE,
      )
    ).access_token;
    const key = generateKeyPair("ssh-ed25519");
    const endpoint = new URL(`${server.url}/ssh/certificates`);
    const body = JSON.stringify({ publicKey: formatPublicKey(key.publicKey) });
    const proofs: string[] = [];
    for (let i = 0; i < total; i++) {
      proofs.push(
        await createKeyProof(key.privateKey, key.publicKey, {
          method: "POST",
          url: endpoint.href,
          accessToken: token,
        }),
      );
    }
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    const send = (proof: string) =>
      post(agent, endpoint, { authorization: `Bearer ${token}`, dpop: proof }, body);
    // Warm up (JIT, SQLite caches), then measure.
    for (let i = 0; i < 50; i++)
      if ((await send(proofs.pop() as string)) !== 201) throw new Error("warm-up issuance failed");
    const latencies: number[] = [];
    let failures = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let proof = proofs.pop(); proof; proof = proofs.pop()) {
          const t = performance.now();
          if ((await send(proof)) !== 201) failures++;
          latencies.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    agent.destroy();
    const issued = latencies.length - failures;
    const issuancesPerSec = issued / seconds;
    // Raw Ed25519 signatures on one core, of a certificate-sized message, measured in this run.
    const raw = generateKeyPairSync("ed25519").privateKey;
    const data = Buffer.alloc(330, 7);
    const rawSignPerSec = median([1, 2, 3].map(() => ratePerSecond(() => sign(null, data, raw), 300)));
    latencies.sort((a, b) => a - b);
    const ratio = issuancesPerSec / rawSignPerSec;
    return {
      what: "certificate issuances/s through POST /ssh/certificates (hostpass server child process, SQLite) ÷ raw Ed25519 signatures/s on one core",
      requests: latencies.length,
      failures,
      concurrency,
      issuancesPerSec: Math.round(issuancesPerSec),
      rawEd25519SignPerSec: Math.round(rawSignPerSec),
      ratio: round(ratio),
      latencyMs: { p50: round(percentile(latencies, 50), 2), p99: round(percentile(latencies, 99), 2) },
      target: TARGET,
      pass: ratio >= TARGET && failures === 0,
    };
  } finally {
    server.child.kill("SIGTERM");
    await new Promise((r) => server.child.once("exit", r));
    await rm(dataDir, { recursive: true, force: true });
  }
}
