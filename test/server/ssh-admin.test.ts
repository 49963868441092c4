/**
 * The CA administration API on the real store: CA keys with states and fingerprints, rotation
 * steps (with their change-log and activity-log entries), the certificate ledger's list and
 * revocations (with the KRL input they produce), RBAC at the tenant root, and bad serials.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type StoreServer, startStoreServer } from "./store-server.ts";

describe("SSH CA administration API", () => {
  let s: StoreServer;
  let alice: { id: string; upn: string };
  let subOwner: string;
  const call = (method: "GET" | "POST", url: string, payload?: object, headers = s.admin) =>
    s.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
  const issued = async (serial: bigint, objectId: string, validFor = 3600) => {
    const now = Date.now();
    await s.store.certificates.record({
      serial,
      tenantId: s.tenantId,
      objectId,
      principal: "alice",
      keyId: `${objectId}@${s.tenantId}`,
      keyFingerprint: `SHA256:${serial}`,
      caKeyId: "ca",
      validAfter: new Date(now - 60_000),
      validBefore: new Date(now + validFor * 1000),
      tokenId: randomUUID(),
      policies: [],
      issuedAt: new Date(now - 1000 + Number(serial % 1000n)),
    });
  };
  const changesSince = async (version: number) =>
    (await s.store.changeLog.since(s.tenantId, version, 1000)) as unknown as Record<string, unknown>[];

  before(async () => {
    s = await startStoreServer();
    const created = await call("POST", "/directory/users", {
      userPrincipalName: "alice@contoso.example",
      displayName: "Alice",
    });
    alice = { id: created.json().id, upn: "alice@contoso.example" };
    subOwner = (
      await call("POST", "/directory/users", { userPrincipalName: "bob@contoso.example", displayName: "Bob" })
    ).json().id;
    const put = await s.app.inject({
      method: "PUT",
      url: `/subscriptions/${s.boot.subscriptionId}/providers/Authorization/roleAssignments/${randomUUID()}`,
      headers: s.admin,
      payload: { role: "Owner", assignee: "bob@contoso.example" },
    });
    assert.equal(put.statusCode, 201, put.body);
  });
  after(() => s.close());

  it("shows the CA keys with state and fingerprint, never a private part", async () => {
    const r = await call("GET", "/ssh/ca/keys");
    assert.equal(r.statusCode, 200, r.body);
    const keys = r.json().value as Record<string, string>[];
    assert.deepEqual(
      keys.map((k) => [k.purpose, k.state]),
      [
        ["user", "active"],
        ["host", "active"],
      ],
    );
    for (const k of keys) assert.match(k.fingerprint as string, /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.doesNotMatch(r.body, /sealed|v1\./);
  });

  it("rotates one step at a time; each step is in the change log and the activity log", async () => {
    const start = await s.store.changeLog.head(s.tenantId);
    const step = async (body: object) => {
      const r = await call("POST", "/ssh/ca/rotate", body);
      assert.equal(r.statusCode, 200, r.body);
      return r.json() as { step: string; keys: { id: string; state: string }[] };
    };
    const announced = await step({ purpose: "user" });
    assert.equal(announced.step, "announce");
    assert.deepEqual(announced.keys.map((k) => k.state).sort(), ["active", "next"]);
    const activated = await step({});
    assert.equal(activated.step, "activate");
    assert.deepEqual(activated.keys.map((k) => k.state).sort(), ["active", "previous"]);
    const early = await call("POST", "/ssh/ca/rotate", { step: "retire" });
    assert.equal(early.statusCode, 409);
    assert.equal(early.json().error.code, "ERR_CA_RETIRE_TOO_EARLY");
    const again = await call("POST", "/ssh/ca/rotate", { step: "announce" });
    assert.equal(again.json().error.code, "ERR_CA_ROTATION_STEP");
    const retired = await step({ step: "retire", force: true });
    assert.deepEqual(retired.keys.map((k) => k.state).sort(), ["active", "retired"]);

    const changes = (await changesSince(start)).filter((c) => c.kind === "caKeys.changed");
    assert.equal(changes.length, 3, "hosts hear of every step");
    assert.ok(changes.every((c) => c.purpose === "user"));
    const events = await s.store.audit.query(
      { tenantId: s.tenantId, action: "Ssh/certificateAuthorities/rotate/action" },
      { limit: 10 },
    );
    const results = events.items.map((e) => [e.result, (e.details as { step?: string }).step]);
    assert.deepEqual(
      results.filter(([r]) => r === "success").map(([, step]) => step),
      ["retire", "activate", "announce"],
    );
    const trusted = (await call("GET", "/ssh/ca/keys?purpose=user")).json().value as { state: string }[];
    assert.deepEqual(trusted.map((k) => k.state).sort(), ["active", "retired"]);
  });

  it("lists certificates by holder, serial and status, and revokes by serial and by principal", async () => {
    await issued(1001n, alice.id);
    await issued(1002n, alice.id);
    await issued(1003n, subOwner);
    const listed = await call("GET", `/ssh/certificates?principal=${encodeURIComponent(alice.upn)}`);
    assert.equal(listed.statusCode, 200, listed.body);
    assert.deepEqual((listed.json().value as { serial: string }[]).map((c) => c.serial).sort(), [
      "1001",
      "1002",
    ]);
    const start = await s.store.changeLog.head(s.tenantId);
    const one = await call("POST", "/ssh/revocations", { serial: "1001", reason: "lost laptop" });
    assert.equal(one.statusCode, 200, one.body);
    assert.deepEqual(one.json(), { revoked: ["1001"], alreadyRevoked: [] });
    const twice = await call("POST", "/ssh/revocations", { serial: "1001" });
    assert.deepEqual(twice.json(), { revoked: [], alreadyRevoked: ["1001"] });
    const bySerial = (await call("GET", "/ssh/certificates?serial=1001&status=all")).json().value;
    assert.equal(bySerial[0].status, "revoked");
    assert.equal(bySerial[0].revocationReason, "lost laptop");
    assert.deepEqual((await call("GET", "/ssh/certificates?serial=1001")).json().value, []);

    const all = await call("POST", "/ssh/revocations", { principal: alice.upn });
    assert.deepEqual(all.json(), { revoked: ["1002"], alreadyRevoked: [] });
    const revoked = (await call("GET", "/ssh/certificates?status=revoked")).json().value as {
      serial: string;
    }[];
    assert.deepEqual(revoked.map((c) => c.serial).sort(), ["1001", "1002"]);
    const krl = await s.store.certificates.revocations(new Date());
    assert.ok(krl.serials.includes(1001n) && krl.serials.includes(1002n) && !krl.serials.includes(1003n));
    const changes = (await changesSince(start)).filter((c) => c.kind === "revocation.added");
    assert.deepEqual(changes.map((c) => c.serial).sort(), ["1001", "1002"]);
    const events = await s.store.audit.query(
      { tenantId: s.tenantId, action: "Ssh/certificates/revoke/action" },
      { limit: 10 },
    );
    assert.ok(events.items.some((e) => e.target === "/ssh/certificates/1001" && e.result === "success"));
    assert.ok(events.items.some((e) => e.target === alice.id && e.result === "success"));
  });

  it("refuses bad serials with stable codes", async () => {
    for (const serial of ["-1", "0", "18446744073709551616", "9223372036854775808", "abc", "1e3", " 7"]) {
      const r = await call("POST", "/ssh/revocations", { serial });
      assert.equal(r.statusCode, 400, serial);
      assert.equal(r.json().error.code, "ERR_CA_INVALID_SERIAL", serial);
      const l = await call("GET", `/ssh/certificates?serial=${encodeURIComponent(serial)}`);
      assert.equal(l.json().error.code, "ERR_CA_INVALID_SERIAL", serial);
    }
    assert.equal((await call("POST", "/ssh/revocations", { serial: 5 })).json().error.code, "ERR_VALIDATION");
    const unknown = await call("POST", "/ssh/revocations", { serial: "424242" });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error.code, "ERR_CA_CERTIFICATE_NOT_FOUND");
    const both = await call("POST", "/ssh/revocations", { serial: "1", principal: alice.upn });
    assert.equal(both.json().error.code, "ERR_VALIDATION");
    assert.equal((await call("POST", "/ssh/revocations", {})).json().error.code, "ERR_VALIDATION");
    const control = await call("POST", "/ssh/revocations", { serial: "1003", reason: "a\nb" });
    assert.equal(control.json().error.code, "ERR_VALIDATION");
  });

  it("is for administrators at the tenant root: a subscription Owner and a plain user get 403", async () => {
    await issued(2001n, alice.id);
    for (const who of [subOwner, alice.id]) {
      const headers = await s.as(who);
      for (const [method, url, body] of [
        ["POST", "/ssh/ca/rotate", { purpose: "host" }],
        ["POST", "/ssh/revocations", { serial: "2001" }],
        ["GET", "/ssh/certificates", undefined],
        ["GET", "/ssh/ca/keys", undefined],
      ] as const) {
        const r = await call(method, url, body, headers);
        assert.equal(r.statusCode, 403, `${method} ${url}`);
        assert.equal(r.json().error.code, "ERR_AUTHORIZATION_FAILED");
      }
    }
    assert.equal((await s.store.certificates.get(2001n))?.revokedAt, undefined);
    const host = (await call("GET", "/ssh/ca/keys?purpose=host")).json().value as { state: string }[];
    assert.deepEqual(
      host.map((k) => k.state),
      ["active"],
    );
  });

  it("the OpenAPI document lists every /ssh route", async () => {
    const doc = (await s.app.inject({ method: "GET", url: "/openapi.json" })).json();
    const paths = doc.paths as Record<string, Record<string, { security: unknown[] }>>;
    assert.deepEqual(Object.keys(paths["/ssh/certificates"] ?? {}).sort(), ["get", "post"]);
    assert.deepEqual(paths["/ssh/certificates"]?.post?.security, []);
    for (const [path, method] of [
      ["/ssh/ca", "get"],
      ["/ssh/ca/keys", "get"],
      ["/ssh/ca/rotate", "post"],
      ["/ssh/revocations", "post"],
    ] as const)
      assert.ok(paths[path]?.[method], `${method} ${path}`);
  });
});
