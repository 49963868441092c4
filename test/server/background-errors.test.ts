/**
 * Errors no request waits for are not swallowed (issue 11 item 3): a failing RBAC sync and a
 * machine host that cannot clean up are logged, counted, and shown by `GET /health` — `ok` or
 * `degraded` to anyone, what failed only to administrators; a machine that cannot start leaves
 * nothing half-written (its registration and identity go in one transaction, recorded with a
 * stable code and a public reason, never the host's own error text).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { getManagedIdentityOf } from "../../src/directory/index.ts";
import type { MachineHost } from "../../src/resources/index.ts";
import { type BackgroundErrors, createBackgroundErrors } from "../../src/shared/background-errors.ts";
import { HostpassError } from "../../src/shared/errors.ts";
import type { Store } from "../../src/store/index.ts";
import { type StoreServer, startStoreServer } from "./store-server.ts";

const SECRET_TEXT = "connect ECONNREFUSED 10.9.8.7:5432 password=hunter2";

class HostStartError extends HostpassError {
  readonly code = "ERR_TEST_HOST_START";
  readonly kind = "unavailable";
}

describe("background errors: logged, counted, in GET /health; nothing half-written", () => {
  let s: StoreServer;
  let errors: BackgroundErrors;
  const logged: string[] = [];
  let failSync = false;
  let failStart = false;
  let failRemove = false;
  const removed: string[] = [];

  const host: MachineHost = {
    async start() {
      if (failStart) throw new HostStartError(`cannot start: ${SECRET_TEXT}`);
      return { privateIp: "10.42.0.9" };
    },
    async remove(machineId) {
      if (failRemove) throw new Error(`rm -rf /var/lib/hostpass/machines failed: ${SECRET_TEXT}`);
      removed.push(machineId);
    },
  };

  /** The store, with the RBAC repository's change feed failing while `failSync` is set. */
  const failingRbac = (store: Store): Store => ({
    ...store,
    rbac: {
      ...store.rbac,
      changesSince: (...args: Parameters<Store["rbac"]["changesSince"]>) => {
        if (failSync) return Promise.reject(new Error(`SQLITE_IOERR: disk I/O error; ${SECRET_TEXT}`));
        return store.rbac.changesSince(...args);
      },
    },
  });

  before(async () => {
    errors = createBackgroundErrors({
      clock: () => Date.now(),
      log: (source, error) => logged.push(`${source}: ${String(error)}`),
    });
    s = await startStoreServer({ machineHost: host, repositories: failingRbac, backgroundErrors: errors });
    const made = await s.app.inject({
      method: "PUT",
      url: rg(),
      headers: s.admin,
      payload: { location: "local" },
    });
    assert.equal(made.statusCode, 201, made.body);
  });
  after(() => s.close());

  const health = async (headers: Record<string, string> = {}) => {
    const r = await s.app.inject({ method: "GET", url: "/health", headers });
    return { status: r.statusCode, body: r.json() as Record<string, unknown> };
  };
  const rg = () => `/subscriptions/${s.boot.subscriptionId}/resourceGroups/bg`;

  it("anyone reads the status only; it is ok while nothing failed", async () => {
    assert.deepEqual(await health(), { status: 200, body: { status: "ok" } });
    const admin = await health(s.admin);
    assert.equal(admin.body.status, "ok");
    assert.deepEqual(admin.body.background, { ok: true, sources: [] });
    const bad = await health({ authorization: "Bearer not-a-token" });
    assert.equal(bad.status, 401, "a token that is sent is checked");
  });

  it("a failing RBAC sync is logged once per interval, counted, and makes the service degraded", async () => {
    failSync = true;
    try {
      await new Promise((r) => setTimeout(r, 1100)); // the sync runs every 250 ms
    } finally {
      failSync = false;
    }
    const publicView = await health();
    assert.deepEqual(publicView.body, { status: "degraded" }, "status only, no internal text");
    const admin = await health(s.admin);
    assert.equal(admin.body.status, "degraded");
    const sources = (admin.body.background as { sources: Record<string, unknown>[] }).sources;
    const sync = sources.find((x) => x.source === "rbacSync");
    assert.ok(sync, JSON.stringify(sources));
    assert.ok(Number(sync.count) >= 2, `counted every failure: ${String(sync.count)}`);
    assert.equal(sync.lastCode, "ERR_INTERNAL");
    assert.match(String(sync.lastMessage), /SQLITE_IOERR/, "administrators see what failed");
    assert.equal(logged.filter((l) => l.startsWith("rbacSync")).length, 1, "logged, not once per tick");
    // A user without a role at "/" gets the status only.
    const user = await s.app.inject({
      method: "POST",
      url: "/directory/users",
      headers: s.admin,
      payload: { userPrincipalName: "plain@contoso.example", displayName: "Plain" },
    });
    assert.equal(user.statusCode, 201, user.body);
    assert.deepEqual((await health(await s.as(user.json().id))).body, { status: "degraded" });
  });

  it("a machine that cannot start leaves nothing: registration and identity go together, recorded without internal text", async () => {
    const vm = `${rg()}/providers/Compute/virtualMachines/nostart`;
    failStart = true;
    failRemove = true;
    try {
      const created = await s.app.inject({
        method: "PUT",
        url: vm,
        headers: s.admin,
        payload: { image: "debian-12", adminUsername: "localadmin", assignIdentity: true },
      });
      assert.equal(created.statusCode, 503, created.body);
      assert.equal(created.json().error.code, "ERR_TEST_HOST_START");
    } finally {
      failStart = false;
      failRemove = false;
    }
    assert.equal((await s.app.inject({ method: "GET", url: vm, headers: s.admin })).statusCode, 404);
    assert.equal(await getManagedIdentityOf(s.store.directory, vm), undefined, "no identity of it is left");
    const events = await s.store.audit.query(
      { tenantId: s.tenantId, action: "Compute/virtualMachines/delete" },
      { limit: 100 },
    );
    const rollback = events.items.find((e) => e.target.endsWith("/nostart"));
    assert.ok(rollback, "the roll-back is in the activity log");
    assert.equal(rollback.details.code, "ERR_TEST_HOST_START");
    assert.equal(typeof rollback.details.reason, "string");
    assert.ok(!JSON.stringify(rollback.details).includes("ECONNREFUSED"), JSON.stringify(rollback.details));
    // The host's failed clean-up is counted and logged, not swallowed.
    const admin = await health(s.admin);
    const cleanup = (admin.body.background as { sources: Record<string, unknown>[] }).sources.find(
      (x) => x.source === "machineHostCleanup",
    );
    assert.ok(cleanup, JSON.stringify(admin.body));
    assert.equal(cleanup.count, 1);
    assert.ok(logged.some((l) => l.startsWith("machineHostCleanup") && l.includes("rm -rf")));
  });

  it("a computer that cannot be removed after a delete is counted; the delete itself stands", async () => {
    const vm = `${rg()}/providers/Compute/virtualMachines/stays`;
    const created = await s.app.inject({
      method: "PUT",
      url: vm,
      headers: s.admin,
      payload: { image: "debian-12", adminUsername: "localadmin", assignIdentity: true },
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.ok(
      await getManagedIdentityOf(s.store.directory, vm),
      "control: the lookup finds a machine's identity",
    );
    failRemove = true;
    try {
      const deleted = await s.app.inject({ method: "DELETE", url: vm, headers: s.admin });
      assert.equal(deleted.statusCode, 204, deleted.body);
    } finally {
      failRemove = false;
    }
    assert.equal((await s.app.inject({ method: "GET", url: vm, headers: s.admin })).statusCode, 404);
    assert.equal(await getManagedIdentityOf(s.store.directory, vm), undefined, "its identity went with it");
    const sources = errors.health().sources;
    assert.equal(sources.find((x) => x.source === "machineHostRemove")?.count, 1, JSON.stringify(sources));
  });
});
