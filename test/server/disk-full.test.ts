/**
 * Issue 11 item 12: the disk under a running `hostpass server` fills up during a load of
 * DPoP-bound issuances. SQLite (the embedded default): the data directory is a 16 MiB tmpfs in a
 * mount namespace of the test's own (`unshare -m`, private propagation: the host never sees the
 * mount, the real disk is never filled); the server and every command touching its files run in
 * it through `nsenter`. PostgreSQL: a throw-away cluster whose data directory is an 80 MiB tmpfs
 * in such a namespace (the service runs outside it and reaches it over TCP). While full: issuances that need a write fail clearly (503 `ERR_STORE_FULL`,
 * the token endpoint 503 `temporarily_unavailable`), the service keeps running; once space is
 * freed they succeed again without a restart. Afterwards the store passes SQLite's integrity
 * check, every certificate a client received is in the ledger with its activity-log event (and
 * every event has its row), and `hostpass audit verify` passes.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { Agent } from "node:https";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createKeyProof } from "../../src/ca/index.ts";
import { formatPublicKey, generateKeyPair } from "../../src/ssh/index.ts";
import {
  assertNothingLost,
  boundToken,
  errorCode,
  type Fixture,
  freePort,
  httpsCall,
  issueOnce,
  killServer,
  loadFixture,
  type ServerProcess,
  setUpLoadPrincipals,
  startServerProcess,
} from "../helpers/crash-harness.ts";
import {
  startThrowawayPostgres,
  type ThrowawayPostgres,
  throwawayPostgresUnsupported,
} from "../helpers/throwaway-postgres.ts";

const run = promisify(execFile);
const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");
const skip = process.getuid?.() === 0 ? undefined : "needs root (unshare -m, mount -t tmpfs)";

interface Outcome {
  readonly phase: "room" | "full" | "freed";
  readonly status: number;
  readonly code?: string;
  readonly serial?: string;
  readonly network?: string;
}

/** A tmpfs of `size` at a fresh temp dir, in a mount namespace held by a `sleep` (it goes with it). */
async function privateTmpfs(size: string, owner?: string) {
  const dir = await mkdtemp(join(tmpdir(), "hostpass-disk-full-"));
  const chown = owner ? ` && chown ${owner} "$1"` : "";
  const holder = spawn(
    "unshare",
    [
      "-m",
      "--propagation",
      "private",
      "sh",
      "-c",
      `mount -t tmpfs -o size=${size},mode=0700 hostpass-disk-full "$1"${chown} && echo mounted && exec sleep 3600`,
      "sh",
      dir,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const [chunk] = (await once(holder.stdout as NodeJS.ReadableStream, "data")) as [Buffer];
  assert.equal(chunk.toString().trim(), "mounted");
  const pid = holder.pid as number;
  return {
    dir,
    pid,
    enter: ["nsenter", "-t", String(pid), "-m", "--"],
    run: (argv: string[]) =>
      run("nsenter", ["-t", String(pid), "-m", "--", ...argv], { cwd: ROOT, maxBuffer: 1 << 24 }),
    async destroy() {
      if (holder.exitCode === null) {
        holder.kill("SIGKILL");
        await once(holder, "exit");
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

type Tmpfs = Awaited<ReturnType<typeof privateTmpfs>>;

/**
 * What both cases run: issuances while there is room, the tmpfs filled, refusals, the space freed,
 * issuances again; then the store is checked: nothing a client received is lost, ledger and events
 * match, the chain verifies (SQLite: integrity check too). `storeAfter`: where the store is read
 * once the load is over (default: where the service has it).
 */
async function fillFreeAndCheck(
  tmpfs: Tmpfs,
  fixture: Fixture,
  server: ServerProcess,
  storeAfter: () => Promise<Fixture> = async () => fixture,
): Promise<void> {
  const { client } = fixture;
  const { agent } = client;
  const outcomes: Outcome[] = [];
  let phase: Outcome["phase"] = "room";
  let done = false;
  const loop = async () => {
    while (!done) {
      const at = phase;
      try {
        const r = await issueOnce(client);
        const code = r.code ?? errorCode(r.text);
        outcomes.push({
          phase: at,
          status: r.status,
          ...(code ? { code } : {}),
          ...(r.serial !== undefined ? { serial: r.serial.toString() } : {}),
        });
      } catch (error) {
        outcomes.push({ phase: at, status: 0, network: (error as Error).message });
      }
      if (at === "full") await new Promise((r) => setTimeout(r, 20));
    }
  };
  const load = Promise.all([loop(), loop(), loop()]);
  const until = async (what: string, check: () => boolean, ms = 60_000) => {
    const deadline = performance.now() + ms;
    while (!check()) {
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  try {
    await until("issuances with room", () => outcomes.filter((o) => o.status === 201).length >= 10);
    // Tokens and keys made while there is room, presented once the disk is full: the
    // certificate endpoint itself (its ledger write) must answer 503 ERR_STORE_FULL.
    const minted = [];
    for (let i = 0; i < 6; i++) {
      const key = generateKeyPair("ssh-ed25519");
      const token = await boundToken(client, key);
      assert.equal(token.status, 200, token.text);
      minted.push({ key, token: token.token as string });
    }
    phase = "full";
    // Every free block taken (dd stops at ENOSPC); a write-ahead log may still have room it had before.
    await tmpfs.run(["sh", "-c", `dd if=/dev/zero of="$1/filler" bs=64k 2>/dev/null; true`, "sh", tmpfs.dir]);
    const df = (await tmpfs.run(["df", "-k", "--output=avail", tmpfs.dir])).stdout;
    assert.match(df, /\n\s*0\s*$/, `the tmpfs still has room: ${df}`);
    await until("a refusal for lack of space", () =>
      outcomes.some((o) => o.phase === "full" && o.status === 503),
    );
    // A write may still find room the log had before (a checkpoint can free it), so each
    // answer is a certificate or 503 ERR_STORE_FULL, and at least one is the refusal.
    const url = `${client.baseUrl}/ssh/certificates`;
    let refused = 0;
    for (const { key, token } of minted) {
      const reply = await httpsCall(
        agent,
        url,
        "POST",
        {
          "content-type": "application/json",
          authorization: `DPoP ${token}`,
          dpop: await createKeyProof(key.privateKey, key.publicKey, {
            method: "POST",
            url,
            accessToken: token,
          }),
        },
        JSON.stringify({ publicKey: formatPublicKey(key.publicKey) }),
      );
      if (reply.status === 201) {
        outcomes.push({
          phase: "full",
          status: 201,
          serial: (JSON.parse(reply.text) as { serial: string }).serial,
        });
        continue;
      }
      assert.equal(reply.status, 503, reply.text);
      assert.equal(errorCode(reply.text), "ERR_STORE_FULL");
      assert.equal(reply.retryAfter, "1");
      refused++;
    }
    assert.ok(refused > 0, "the certificate endpoint never refused for lack of space");
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(server.child.exitCode, null, `the service exited: ${server.stderr().slice(-3000)}`);
    phase = "freed";
    await tmpfs.run(["rm", "-f", join(tmpfs.dir, "filler")]);
    await until("an issuance after space returned", () =>
      outcomes.some((o) => o.phase === "freed" && o.status === 201),
    );
    await new Promise((r) => setTimeout(r, 1000));
  } finally {
    done = true;
    await load;
  }
  assert.equal(server.child.exitCode, null, `the service exited: ${server.stderr().slice(-3000)}`);
  assert.deepEqual(
    outcomes.filter((o) => o.network !== undefined),
    [],
  );
  const full = outcomes.filter((o) => o.phase === "full" && o.status !== 201);
  assert.ok(full.length > 0);
  for (const o of full)
    assert.ok(
      o.status === 503 && (o.code === "ERR_STORE_FULL" || o.code === "temporarily_unavailable"),
      `while full: ${JSON.stringify(o)}`,
    );
  const received = outcomes.flatMap((o) => (o.serial ? [o.serial] : []));
  assert.ok(received.length > 10);
  const after = await storeAfter();
  const stored = await assertNothingLost(after, received);
  if (after.database === undefined) assert.equal(stored.integrity, "ok");
}

describe("a disk that fills up under the running service (SQLite)", { skip }, () => {
  let tmpfs: Tmpfs;
  let copy: string;
  let server: ServerProcess;
  let fixture: Fixture;
  let agent: Agent;

  before(async () => {
    tmpfs = await privateTmpfs("16m");
    copy = await mkdtemp(join(tmpdir(), "hostpass-disk-full-copy-"));
    const port = await freePort();
    server = await startServerProcess(tmpfs.dir, port, undefined, {}, tmpfs.enter);
    const ca = (await tmpfs.run(["cat", join(tmpfs.dir, "tls", "server-cert.pem")])).stdout;
    agent = new Agent({ keepAlive: true, ca });
    const main = join(ROOT, "test/helpers/load-principals-main.ts");
    const principals = JSON.parse(
      (await tmpfs.run([process.execPath, main, tmpfs.dir, server.tenantId])).stdout,
    ) as { appId: string; secret: string };
    fixture = loadFixture({ dataDir: tmpfs.dir, port, database: undefined, agent, server, principals });
  });

  after(async () => {
    agent?.destroy();
    if (server) await killServer(server, "SIGKILL");
    await tmpfs?.destroy();
    if (copy) await rm(copy, { recursive: true, force: true });
  });

  test("503 ERR_STORE_FULL while full, served again once space is freed, nothing corrupted or lost", async () => {
    // The store afterwards, read from a copy taken with the service stopped.
    await fillFreeAndCheck(tmpfs, fixture, server, async () => {
      await killServer(server, "SIGTERM");
      await tmpfs.run(["cp", "-a", `${tmpfs.dir}/.`, copy]);
      return { ...fixture, dataDir: copy };
    });
  });
});

describe("a disk that fills up under the service's PostgreSQL", {
  skip: skip ?? throwawayPostgresUnsupported(),
}, () => {
  let tmpfs: Tmpfs;
  let cluster: ThrowawayPostgres;
  let dataDir: string;
  let database: string;
  let server: ServerProcess;
  let fixture: Fixture;
  let agent: Agent;

  before(async () => {
    tmpfs = await privateTmpfs("80m", "postgres:postgres");
    cluster = await startThrowawayPostgres({ namespace: { pid: tmpfs.pid, dir: tmpfs.dir } });
    dataDir = await mkdtemp(join(tmpdir(), "hostpass-disk-full-pg-"));
    database = `${cluster.url}?schema=hostpass`;
    const port = await freePort();
    server = await startServerProcess(dataDir, port, database);
    agent = new Agent({ keepAlive: true, ca: readFileSync(join(dataDir, "tls", "server-cert.pem")) });
    const principals = await setUpLoadPrincipals(dataDir, database, server.tenantId, 1, 1);
    fixture = loadFixture({ dataDir, port, database, agent, server, principals });
  });

  after(async () => {
    agent?.destroy();
    if (server) await killServer(server, "SIGKILL");
    await cluster?.destroy();
    await tmpfs?.destroy();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test("503 ERR_STORE_FULL while PostgreSQL's disk is full, served again once space is freed, nothing lost", async () => {
    await fillFreeAndCheck(tmpfs, fixture, server);
  });
});
