/**
 * The store out of reach under a running `hostpass server` (its PostgreSQL is the test's own,
 * test/helpers/throwaway-postgres.ts, stopped and started again): `GET /health` checks the store
 * (`select 1`, short timeout), anyone sees `ok` / `degraded`, administrators the store's answer;
 * and a sign-in page whose interaction cannot be read answers 503 ERR_STORE_UNAVAILABLE instead
 * of "your sign-in expired, start again" (the interaction is still there once the store is back).
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import type { IncomingHttpHeaders } from "node:http";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type RunningServer, startServer } from "../../src/server/index.ts";
import { CLI_CLIENT_ID } from "../../src/shared/well-known.ts";
import { type ApiCall, servicePrincipalApi } from "../helpers/api-client.ts";
import {
  startThrowawayPostgres,
  type ThrowawayPostgres,
  throwawayPostgresUnsupported,
} from "../helpers/throwaway-postgres.ts";

describe("the store out of reach: /health and the sign-in page say so", {
  skip: throwawayPostgresUnsupported(),
}, () => {
  let cluster: ThrowawayPostgres;
  let dataDir: string;
  let running: RunningServer;
  let ca: string;
  let admin: ApiCall;

  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; text: string }>((resolve, reject) => {
      const req = request(new URL(path, running.publicUrl), { ca, headers }, (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      });
      req.on("error", reject);
      req.end();
    });
  const health = async () => {
    const r = await get("/health");
    assert.equal(r.status, 200, r.text);
    return JSON.parse(r.text) as Record<string, unknown>;
  };

  /** A sign-in started as the CLI starts one: the interaction page's path and its cookies. */
  const startSignIn = async () => {
    const authorize = new URL(`${running.publicUrl}/oauth2/auth`);
    for (const [k, v] of Object.entries({
      client_id: CLI_CLIENT_ID,
      response_type: "code",
      redirect_uri: "http://127.0.0.1:9/callback",
      scope: "openid profile offline_access",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    }))
      authorize.searchParams.set(k, v);
    const r = await get(authorize.pathname + authorize.search);
    assert.ok(r.status === 302 || r.status === 303, `${r.status} ${r.text}`);
    const location = new URL(String(r.headers.location), running.publicUrl);
    assert.match(location.pathname, /\/interaction\/[A-Za-z0-9_-]+$/);
    const cookie = (r.headers["set-cookie"] ?? []).map((c) => c.split(";", 1)[0]).join("; ");
    return { path: location.pathname, cookie };
  };

  before(async () => {
    cluster = await startThrowawayPostgres();
    dataDir = await mkdtemp(join(tmpdir(), "hostpass-store-down-"));
    running = await startServer({
      dataDir,
      database: `${cluster.url}?schema=hostpass`,
      listen: "127.0.0.1:0",
      adminPassword: "admin password for store-down tests",
      logLevel: "silent",
    });
    ca = await readFile(join(dataDir, "tls", "server-cert.pem"), "utf8");
    admin = await servicePrincipalApi(running, dataDir, "reader", { atRoot: true });
  });
  after(async () => {
    await running?.close();
    await cluster?.destroy();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test("store up: ok; administrators see the store's answer", async () => {
    assert.deepEqual(await health(), { status: "ok" }, "anyone: the status only");
    const details = await admin("GET", "/health");
    assert.equal(details.status, 200, JSON.stringify(details.body));
    assert.equal(details.body.status, "ok");
    const store = details.body.store as { ok: boolean; ms: number; code?: string };
    assert.equal(store.ok, true);
    assert.equal(store.code, undefined);
    assert.ok(Number.isInteger(store.ms) && store.ms >= 0);
  });

  test("store down: /health degraded, the sign-in page 503 ERR_STORE_UNAVAILABLE; back: ok, the same sign-in goes on", async () => {
    const signIn = await startSignIn();
    const page = await get(signIn.path, { cookie: signIn.cookie, accept: "text/html" });
    assert.equal(page.status, 200, "control: the interaction is there while the store is up");
    await cluster.stop("fast");
    try {
      assert.deepEqual(await health(), { status: "degraded" }, "anyone: the status only, no internal text");
      const details = await admin("GET", "/health");
      if (details.status === 200) {
        const store = details.body.store as { ok: boolean; code?: string };
        assert.equal(store.ok, false);
        assert.equal(store.code, "ERR_STORE_UNAVAILABLE");
      } else assert.equal(details.body.error?.code, "ERR_STORE_UNAVAILABLE", JSON.stringify(details.body));
      const down = await get(signIn.path, { cookie: signIn.cookie, accept: "text/html" });
      assert.equal(down.status, 503, down.text);
      assert.equal(down.headers["retry-after"], "1");
      assert.match(down.text, /ERR_STORE_UNAVAILABLE/);
      assert.doesNotMatch(down.text, /expired/);
    } finally {
      await cluster.start();
    }
    // The store answers again (the status may stay degraded a while: background work that failed
    // while it was down counts for 5 minutes).
    let store: { ok?: boolean } = {};
    for (let i = 0; i < 100 && store.ok !== true; i++) {
      const details = await admin("GET", "/health");
      store = (details.body.store ?? {}) as { ok?: boolean };
      if (store.ok !== true) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(store.ok, true, "the store answers again");
    const again = await get(signIn.path, { cookie: signIn.cookie, accept: "text/html" });
    assert.equal(again.status, 200, "the sign-in was kept, not restarted");
  });
});
