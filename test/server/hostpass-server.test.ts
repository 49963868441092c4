import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFile, rm, stat } from "node:fs/promises";
import { request } from "node:https";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { authenticateUser } from "../../src/directory/index.ts";
import { loadOrCreateServiceKeys } from "../../src/server/auth/service-keys.ts";
import { DEFAULT_TOKEN_SETTINGS, mintAccessToken } from "../../src/server/auth/tokens.ts";
import { openStore, sqliteUrlForDataDir } from "../../src/store/index.ts";
import { tempDir } from "./helpers.ts";

const BIN = join(import.meta.dirname, "..", "..", "bin", "hostpass");

interface Started {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

/** Starts `hostpass server` and resolves once it printed its summary (or exited). */
async function start(args: string[], env: Record<string, string> = {}): Promise<Started> {
  const child = spawn(BIN, ["server", ...args], {
    env: { ...process.env, HOSTPASS_ADMIN_PASSWORD: "", ...env },
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (err += d));
  const deadline = Date.now() + 30_000;
  while (!/^tenant: /m.test(out) && child.exitCode === null && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, stdout: () => out, stderr: () => err };
}

async function stop(started: Started, signal: NodeJS.Signals): Promise<number | null> {
  if (started.child.exitCode !== null) return started.child.exitCode;
  const exited = once(started.child, "exit");
  started.child.kill(signal);
  await exited;
  return started.child.exitCode;
}

function get(
  url: string,
  ca: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("hostpass server (real process, real HTTPS)", () => {
  let dataDir: string;
  before(async () => {
    dataDir = await tempDir("hostpass-server-");
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it("first start: HTTPS with a generated certificate, bootstraps, prints the password once; SIGTERM exits 0", async () => {
    const server = await start(["--data-dir", dataDir, "--listen", "127.0.0.1:0"]);
    try {
      const out = server.stdout();
      assert.match(out, /listening on https:\/\/127\.0\.0\.1:\d+/, server.stderr());
      assert.match(out, /one-time password \(shown only now\): \S{16,}/);
      assert.match(out, /TLS certificate SHA-256 fingerprint: ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
      const url = /listening on (\S+)/.exec(out)?.[1] as string;
      const ca = await readFile(join(dataDir, "tls", "server-cert.pem"), "utf8");
      assert.equal((await stat(join(dataDir, "tls", "server-key.pem"))).mode & 0o777, 0o600);
      const health = await get(`${url}/healthz`, ca);
      assert.equal(health.status, 200);
      assert.equal((await get(`${url}/me`, ca)).status, 401);
      // The service key in the data directory signs tokens the running server accepts.
      const keys = await loadOrCreateServiceKeys(dataDir);
      const tenantId = /tenant: \S+ \(([0-9a-f-]{36})\)/.exec(out)?.[1] as string;
      const store = await openStore({ url: sqliteUrlForDataDir(dataDir) });
      const password = /one-time password \(shown only now\): (\S+)/.exec(out)?.[1] as string;
      const admin = await authenticateUser(store.directory, tenantId, "admin@hostpass.local", password);
      await store.close();
      const token = await mintAccessToken(keys, DEFAULT_TOKEN_SETTINGS, {
        objectId: admin.id,
        tenantId,
        type: "user",
      });
      const users = await get(`${url}/directory/users`, ca, { authorization: `Bearer ${token}` });
      assert.equal(users.status, 200, users.body);
      assert.equal(JSON.parse(users.body).value[0].userPrincipalName, "admin@hostpass.local");
    } finally {
      assert.equal(await stop(server, "SIGTERM"), 0, server.stderr());
    }
  });

  it("second start: same certificate, no new password; SIGINT exits 0", async () => {
    const before = await readFile(join(dataDir, "tls", "server-cert.pem"), "utf8");
    const server = await start(["--data-dir", dataDir, "--listen", "127.0.0.1:0"]);
    try {
      assert.match(server.stdout(), /listening on https:/, server.stderr());
      assert.doesNotMatch(server.stdout(), /password/);
      assert.equal(await readFile(join(dataDir, "tls", "server-cert.pem"), "utf8"), before);
    } finally {
      assert.equal(await stop(server, "SIGINT"), 0, server.stderr());
    }
  });

  it("takes the first password from HOSTPASS_ADMIN_PASSWORD and prints none", async () => {
    const dir = await tempDir("hostpass-server-env-");
    const server = await start(["--data-dir", dir, "--listen", "127.0.0.1:0", "--insecure-http"], {
      HOSTPASS_ADMIN_PASSWORD: "from the environment 42",
    });
    try {
      assert.match(server.stdout(), /listening on http:\/\/127\.0\.0\.1/, server.stderr());
      assert.match(server.stdout(), /password from HOSTPASS_ADMIN_PASSWORD/);
      assert.doesNotMatch(server.stdout(), /one-time password/);
    } finally {
      assert.equal(await stop(server, "SIGTERM"), 0);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses plain HTTP on a non-loopback address with exit code 2", async () => {
    const server = await start(["--data-dir", dataDir, "--listen", "0.0.0.0:0", "--insecure-http"]);
    const code = server.child.exitCode ?? (await once(server.child, "exit"))[0];
    assert.equal(code, 2);
    assert.match(server.stderr(), /ERR_SERVER_CONFIG/);
  });
});
