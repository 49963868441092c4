/**
 * `GET /health` checks the store (`select 1`) with a short timeout: a store that refuses and one
 * that never answers both make the service `degraded` for anyone; administrators see the store's
 * answer (`ok`, time, code). The answer itself never waits longer than the timeout.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { STORE_CHECK_TIMEOUT_MS } from "../../src/server/routes/system/get-health.ts";
import { StoreUnavailableError } from "../../src/store/index.ts";
import { type StoreServer, startStoreServer } from "./store-server.ts";

describe("GET /health: the store's reachability", () => {
  let s: StoreServer;
  let ping: "real" | "refuse" | "hang" = "real";

  before(async () => {
    s = await startStoreServer({
      repositories: (store) => ({
        ...store,
        ping: () =>
          ping === "real"
            ? store.ping()
            : ping === "refuse"
              ? Promise.reject(new StoreUnavailableError("connect ECONNREFUSED 10.9.8.7:5432"))
              : new Promise<void>(() => {}),
      }),
    });
  });
  after(() => s.close());

  const health = async (headers: Record<string, string> = {}) => {
    const r = await s.app.inject({ method: "GET", url: "/health", headers });
    assert.equal(r.statusCode, 200, r.body);
    return r.json() as { status: string; store?: { ok: boolean; ms: number; code?: string } };
  };

  it("a store that answers: ok; administrators see its answer", async () => {
    ping = "real";
    assert.deepEqual(await health(), { status: "ok" });
    const admin = await health(s.admin);
    assert.equal(admin.status, "ok");
    assert.equal(admin.store?.ok, true);
    assert.equal(admin.store?.code, undefined);
  });

  it("a store that refuses: degraded (status only for anyone), its code for administrators", async () => {
    ping = "refuse";
    assert.deepEqual(await health(), { status: "degraded" });
    const admin = await health(s.admin);
    assert.equal(admin.status, "degraded");
    assert.equal(admin.store?.ok, false);
    assert.equal(admin.store?.code, "ERR_STORE_UNAVAILABLE");
    assert.doesNotMatch(JSON.stringify(admin), /10\.9\.8\.7/, "no internal text");
  });

  it("a store that never answers: degraded once the timeout passes (ERR_STORE_TIMEOUT)", async () => {
    ping = "hang";
    assert.deepEqual(await health(), { status: "degraded" });
    const admin = await health(s.admin);
    assert.equal(admin.store?.ok, false);
    assert.equal(admin.store?.code, "ERR_STORE_TIMEOUT");
    assert.ok((admin.store?.ms ?? 0) >= STORE_CHECK_TIMEOUT_MS - 50, JSON.stringify(admin.store));
    ping = "real";
    assert.deepEqual(await health(), { status: "ok" }, "answering again: ok again");
  });
});
