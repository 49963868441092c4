/** oidc-provider storage and throttle counters on both dialects: atomicity, expiry, hostile ids. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { openStore, type Store, startExpirySweep } from "../../src/store/index.ts";
import { createTestDatabase, selectedDialects, type TestDatabase } from "./dialects.ts";

const HOSTILE = [
  "'; DROP TABLE oidc_entries;--",
  "a\u0000b",
  '\u001fjson:"looks encoded"',
  "Ünïcödé 🔑 \u202e RTL \n\r\t",
  "x".repeat(5000),
];

for (const dialect of selectedDialects()) {
  describe(`oidc storage on ${dialect}`, () => {
    let database: TestDatabase;
    let store: Store;
    let other: Store | undefined;
    before(async () => {
      database = createTestDatabase(dialect);
      store = await database.open();
      // A second pool on the same database plays a second replica (PostgreSQL only: one
      // SQLite file is opened once per process).
      if (dialect === "postgres") other = await openStore({ url: database.url });
    });
    after(async () => {
      await other?.close();
      await store?.close();
      await database?.drop();
    });

    it("stores, finds by id, user code and uid, and destroys", async () => {
      const payload = {
        accountId: "a1",
        grantId: "g1",
        userCode: "ABCD-EFGH",
        uid: "u1",
        nested: { x: [1, 2] },
      };
      await store.oidc.upsert("DeviceCode", "d1", payload, 60);
      assert.deepEqual(await store.oidc.find("DeviceCode", "d1"), payload);
      assert.deepEqual(await store.oidc.findByUserCode("DeviceCode", "ABCD-EFGH"), payload);
      assert.equal(await store.oidc.findByUserCode("AccessToken", "ABCD-EFGH"), undefined);
      await store.oidc.upsert("Session", "s1", { uid: "u9", accountId: "a1" }, 60);
      assert.deepEqual(await store.oidc.findByUid("Session", "u9"), { uid: "u9", accountId: "a1" });
      await store.oidc.upsert("DeviceCode", "d1", { ...payload, accountId: "a2" }, 60);
      assert.equal((await store.oidc.find("DeviceCode", "d1"))?.accountId, "a2");
      await store.oidc.destroy("DeviceCode", "d1");
      assert.equal(await store.oidc.find("DeviceCode", "d1"), undefined);
    });

    it("consumes once, and only for the first of many concurrent callers", async () => {
      await store.oidc.upsert("AuthorizationCode", "c1", { grantId: "g2" }, 60);
      const stores = other ? [store, other] : [store];
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (stores[i % stores.length] as Store).oidc.consume("AuthorizationCode", "c1"),
        ),
      );
      assert.equal(results.filter(Boolean).length, 1);
      const consumed = (await store.oidc.find("AuthorizationCode", "c1"))?.consumed;
      assert.equal(typeof consumed, "number");
      assert.ok(Math.abs((consumed as number) - Date.now() / 1000) < 5);
      assert.equal(await store.oidc.consume("AuthorizationCode", "c1"), false);
      assert.equal(await store.oidc.consume("AuthorizationCode", "missing"), false);
    });

    it("inserts if absent atomically (jti replay) and lets an expired entry be replaced", async () => {
      const stores = other ? [store, other] : [store];
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (stores[i % stores.length] as Store).oidc.insertIfAbsent("ReplayDetection", "jti-1", { i }, 60),
        ),
      );
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await store.oidc.insertIfAbsent("ReplayDetection", "jti-2", {}, 0), true);
      // Expired at once: invisible, and a new insert takes its place.
      assert.equal(await store.oidc.find("ReplayDetection", "jti-2"), undefined);
      assert.equal(await store.oidc.insertIfAbsent("ReplayDetection", "jti-2", { again: true }, 60), true);
      assert.deepEqual(await store.oidc.find("ReplayDetection", "jti-2"), { again: true });
      assert.equal(await store.oidc.insertIfAbsent("ReplayDetection", "jti-2", {}, 60), false);
    });

    it("inserts a group if absent in one statement: true only when every entry is new", async () => {
      const entry = (id: string, expiresInSeconds = 60) => ({ id, payload: { id }, expiresInSeconds });
      assert.equal(
        await store.oidc.insertAllIfAbsent("ReplayDetection", [entry("g-1"), entry("g-2", 0)]),
        true,
      );
      assert.deepEqual(await store.oidc.find("ReplayDetection", "g-1"), { id: "g-1" });
      // g-2 expired at once, so it may be used again; g-1 is live, so the group is refused.
      assert.equal(await store.oidc.insertAllIfAbsent("ReplayDetection", [entry("g-2"), entry("g-3")]), true);
      await assert.rejects(
        store.transaction(async (tx) => {
          if (!(await tx.oidc.insertAllIfAbsent("ReplayDetection", [entry("g-4"), entry("g-1")])))
            throw new Error("replayed");
        }),
        /replayed/,
      );
      assert.equal(await store.oidc.find("ReplayDetection", "g-4"), undefined, "rolled back with its group");
      // One id twice in a group: refused (PostgreSQL refuses the statement itself).
      const twice = await store.oidc
        .insertAllIfAbsent("ReplayDetection", [entry("g-5"), entry("g-5")])
        .catch(() => false);
      assert.equal(twice, false);
    });

    it("never returns an expired entry, by any lookup, and cannot consume one", async () => {
      await store.oidc.upsert("DeviceCode", "e1", { userCode: "EXPI-RING", uid: "ue1", grantId: "ge" }, 0.3);
      assert.ok(await store.oidc.find("DeviceCode", "e1"));
      await sleep(400);
      assert.equal(await store.oidc.find("DeviceCode", "e1"), undefined);
      assert.equal(await store.oidc.findByUserCode("DeviceCode", "EXPI-RING"), undefined);
      assert.equal(await store.oidc.findByUid("DeviceCode", "ue1"), undefined);
      assert.equal(await store.oidc.consume("DeviceCode", "e1"), false);
      assert.ok((await store.oidc.deleteExpired()) >= 1);
      const left = await database.raw("select count(*) as n from oidc_entries where id = ?", ["e1"]);
      assert.equal(Number(left[0]?.n), 0);
    });

    it("sweeps expired OAuth entries and throttle counters on a timer", async () => {
      await store.oidc.upsert("Session", "sweep-me", {}, 0);
      await store.throttle.put("sweep-me", "1", 0);
      const stop = startExpirySweep(store, { intervalMs: 50 });
      await sleep(200);
      stop();
      assert.equal(
        Number(
          (await database.raw("select count(*) as n from oidc_entries where id = ?", ["sweep-me"]))[0]?.n,
        ),
        0,
      );
      assert.equal(
        Number(
          (await database.raw("select count(*) as n from throttle_entries where key = ?", ["sweep-me"]))[0]
            ?.n,
        ),
        0,
      );
    });

    it("revokes by grant id within one model only", async () => {
      await store.oidc.upsert("AccessToken", "at1", { grantId: "fam" }, 60);
      await store.oidc.upsert("AccessToken", "at2", { grantId: "fam" }, 60);
      await store.oidc.upsert("RefreshToken", "rt1", { grantId: "fam" }, 60);
      await store.oidc.upsert("AccessToken", "at3", { grantId: "other" }, 60);
      await store.oidc.revokeByGrantId("AccessToken", "fam");
      assert.equal(await store.oidc.find("AccessToken", "at1"), undefined);
      assert.equal(await store.oidc.find("AccessToken", "at2"), undefined);
      assert.ok(await store.oidc.find("RefreshToken", "rt1"));
      assert.ok(await store.oidc.find("AccessToken", "at3"));
    });

    it("keeps hostile ids and payloads verbatim and apart", async () => {
      for (const [i, s] of HOSTILE.entries()) {
        await store.oidc.upsert("Interaction", s, { s, i, uid: s }, 60);
        assert.equal(await store.oidc.insertIfAbsent("ReplayDetection", s, { s }, 60), true);
        assert.equal(await store.oidc.insertIfAbsent("ReplayDetection", s, { s }, 60), false);
      }
      for (const [i, s] of HOSTILE.entries()) {
        assert.deepEqual(await store.oidc.find("Interaction", s), { s, i, uid: s });
        assert.deepEqual(await store.oidc.findByUid("Interaction", s), { s, i, uid: s });
        assert.equal(await store.oidc.consume("Interaction", s), true);
      }
      // "a\0b" and its encoded form are different keys.
      assert.equal(await store.oidc.find("Interaction", "a"), undefined);
      assert.equal(await store.oidc.find("Interaction", '\u001fjson:"a\\u0000b"'), undefined);
    });

    it("accepts a DPoP proof id once, across replicas, until it expires", async () => {
      const stores = other ? [store, other] : [store];
      const jti = "proof-0123456789abcdef";
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (stores[i % stores.length] as Store).proofReplay.use(jti, Date.now() + 60_000),
        ),
      );
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await store.proofReplay.use("another-proof-id-00000", Date.now() + 60_000), true);
      // The minimum lifetime is one second; after it the id is forgotten.
      assert.equal(await store.proofReplay.use("short-lived-proof-0000", Date.now()), true);
      await sleep(1100);
      assert.equal(await store.proofReplay.use("short-lived-proof-0000", Date.now() + 60_000), true);
    });

    it("counts throttle attempts atomically, per lifetime, shared by replicas", async () => {
      const stores = other ? [store, other] : [store];
      const values = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          (stores[i % stores.length] as Store).throttle.increment("fail:1.2.3.4", 60),
        ),
      );
      assert.deepEqual(
        [...values].sort((a, b) => a - b),
        Array.from({ length: 25 }, (_, i) => i + 1),
      );
      assert.equal(await store.throttle.count("fail:1.2.3.4"), 25);
      assert.equal(await store.throttle.count("absent"), 0);
      assert.equal(await store.throttle.increment("short", 0.2), 1);
      assert.equal(await store.throttle.increment("short", 0.2), 2);
      await sleep(300);
      assert.equal(await store.throttle.count("short"), 0);
      assert.equal(await store.throttle.increment("short", 60), 1);
      await store.throttle.put("poll:a\u0000b", '{"last":1}', 0.2);
      assert.equal(await store.throttle.get("poll:a\u0000b"), '{"last":1}');
      assert.equal(await store.throttle.get("poll:a"), undefined);
      await sleep(300);
      assert.equal(await store.throttle.get("poll:a\u0000b"), undefined);
      assert.ok((await store.throttle.deleteExpired()) >= 1);
    });
  });
}
