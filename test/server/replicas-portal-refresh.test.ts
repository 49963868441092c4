/**
 * A portal session's API tokens due for refresh on two replicas at once: two `hostpass server`s
 * in this process on one PostgreSQL schema (each its own portal, memory and data directory), the
 * portal's clock pinned and then moved to half a minute before the access token expires, and one
 * page asked of each replica at the same moment. One replica redeems the refresh token, the other
 * waits for the tokens it saves: both pages render and the sign-in lives on. (Two redemptions of
 * one rotating refresh token are a replay: the authorization server would revoke the grant and the
 * session would end.)
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { cp, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type RunningServer, startServer } from "../../src/server/index.ts";
import { loadOrCreateTls } from "../../src/server/tls.ts";
import { makeTempDir, removeDir } from "../helpers/openssh.ts";
import { freePort, portalSignIn } from "../helpers/replicas.ts";
import { createTestDatabase } from "../store/dialects.ts";

describe("portal tokens refreshed on two replicas at once", () => {
  const database = createTestDatabase("postgres");
  const env = { HOSTPASS_KEK: randomBytes(32).toString("base64") };
  const password = "portal refresh test password";
  let dir: string;
  let now = Date.now();
  const clock = () => now;
  let A: RunningServer;
  let B: RunningServer;
  let ca: string;
  let publicUrl: string;

  before(async () => {
    dir = await makeTempDir("hostpass-portal-refresh-");
    const port = await freePort();
    publicUrl = `https://127.0.0.1:${port}`;
    await loadOrCreateTls(join(dir, "a"), ["127.0.0.1"]);
    await mkdir(join(dir, "b"), { recursive: true, mode: 0o700 });
    await cp(join(dir, "a", "tls"), join(dir, "b", "tls"), { recursive: true });
    ca = await readFile(join(dir, "a", "tls", "server-cert.pem"), "utf8");
    const common = {
      database: database.url,
      publicUrl,
      clock,
      env,
      adminPassword: password,
      logLevel: "silent" as const,
    };
    A = await startServer({ ...common, dataDir: join(dir, "a"), listen: `127.0.0.1:${port}` });
    B = await startServer({ ...common, dataDir: join(dir, "b"), listen: "127.0.0.1:0" });
  });
  after(async () => {
    await B?.close();
    await A?.close();
    await database.drop();
    await removeDir(dir);
  });

  it("one replica refreshes, the other waits for its tokens; both pages render and the session lives on", async () => {
    const set = { ca, publicUrl };
    const { browser } = await portalSignIn(set, [A, B], A.bootstrap.adminUpn, password);
    const tokensRow = async () => {
      const rows = await database.raw("select value from portal_state where key like 'api:%'");
      assert.equal(rows.length, 1);
      return JSON.parse(String(rows[0]?.value)) as { expiresAt: number; refreshToken: string };
    };
    const before = await tokensRow();
    now = before.expiresAt - 30_000; // inside the refresh margin, before expiry
    const pages = await Promise.all([A, B, A, B].map((r) => browser.request(r, "GET", "/portal/")));
    assert.deepEqual(
      pages.map((p) => p.status),
      [200, 200, 200, 200],
      pages.map((p) => p.body.slice(0, 300)).join("\n"),
    );
    const afterRefresh = await tokensRow();
    assert.notEqual(afterRefresh.refreshToken, before.refreshToken, "the tokens were refreshed");
    assert.ok(afterRefresh.expiresAt > before.expiresAt);
    for (const replica of [B, A]) {
      const page = await browser.request(replica, "GET", "/portal/");
      assert.equal(page.status, 200, "the sign-in lives on (no replay was detected)");
    }
  });
});
