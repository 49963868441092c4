import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFile, rm, stat } from "node:fs/promises";
import { request } from "node:https";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { addClientSecret, createServicePrincipal } from "../../src/directory/index.ts";
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
  const deadline = Date.now() + 120_000; // a loaded CI box (2 cores, many suites) starts it in 10-40 s
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

function post(url: string, ca: string, form: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = { "content-type": "application/x-www-form-urlencoded" };
    const req = request(url, { ca, method: "POST", headers }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end(form);
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
      assert.equal((await stat(join(dataDir, "keys", "kek"))).mode & 0o777, 0o600);
      // the cookie keys are in the store, sealed (every replica shares them), not in a file
      await assert.rejects(stat(join(dataDir, "keys", "cookie-keys.json")), { code: "ENOENT" });
      // The authorization server at /oauth2 issues API tokens the running server accepts.
      const tenantId = /tenant: \S+ \(([0-9a-f-]{36})\)/.exec(out)?.[1] as string;
      const store = await openStore({ url: sqliteUrlForDataDir(dataDir) });
      const sp = await createServicePrincipal(store.directory, { tenantId, displayName: "automation" });
      const expiresAt = new Date(Date.now() + 3600_000);
      const { secret } = await addClientSecret(store.directory, { tenantId, principalId: sp.id, expiresAt });
      await store.close();
      const discovery = await get(`${url}/oauth2/.well-known/openid-configuration`, ca);
      assert.equal(JSON.parse(discovery.body).issuer, `${url}/oauth2`);
      const form = new URLSearchParams({
        grant_type: "client_credentials",
        client_id: sp.appId,
        client_secret: secret,
        resource: "urn:hostpass:api",
        scope: "user_impersonation",
      });
      const tokens = await post(`${url}/oauth2/token`, ca, form.toString());
      assert.equal(tokens.status, 200, tokens.body);
      const token = JSON.parse(tokens.body).access_token as string;
      const me = await get(`${url}/me`, ca, { authorization: `Bearer ${token}` });
      assert.equal(me.status, 200, me.body);
      assert.deepEqual(JSON.parse(me.body), {
        objectId: sp.id,
        tenantId,
        type: "servicePrincipal",
        displayName: "automation",
        tenantDisplayName: "Default Directory",
      });
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
