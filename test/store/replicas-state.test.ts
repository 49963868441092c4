/**
 * What replicas share through the store (issue 10 item 4), on SQLite and the real PostgreSQL:
 * the portal's state (expiry on the caller's clock, one-time `take`, a bound on pending sign-ins
 * that refuses instead of pushing out sessions), the rate-limit counters, sealed server secrets
 * (first writer wins), and, on PostgreSQL, change notices delivered on commit to another
 * connection (LISTEN/NOTIFY), never for a rolled-back change or another schema's.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTenant, createUser } from "../../src/directory/index.ts";
import { AttemptLimiter, AttemptsLockedError } from "../../src/mfa/index.ts";
import { InMemoryStateStore } from "../../src/portal/index.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { createTestDatabase, selectedDialects, TEST_KEK, type TestDatabase } from "./dialects.ts";

const T0 = 1_800_000_000_000;

for (const dialect of selectedDialects())
  describe(`replicas' shared state on ${dialect}`, () => {
    let db: TestDatabase;
    let one: Store;
    let two: Store;
    before(async () => {
      db = createTestDatabase(dialect);
      one = await openStore({ url: db.url, keyEncryptionKey: TEST_KEK, maxPendingSignIns: 3 });
      // On SQLite a file opens once per process: the second "replica" is the same store.
      two = dialect === "postgres" ? await openStore({ url: db.url, keyEncryptionKey: TEST_KEK }) : one;
    });
    after(async () => {
      if (two !== one) await two?.close();
      await one?.close();
      await db?.drop();
    });

    it("portal state: written by one, read by the other; expiry on the caller's clock; take is one-time", async () => {
      await one.portalState.put("session:s1", '{"a":1}', 60_000, T0);
      assert.equal(await two.portalState.get("session:s1", T0 + 59_999), '{"a":1}');
      assert.equal(await two.portalState.get("session:s1", T0 + 60_000), undefined, "expired at its ttl");
      await one.portalState.put("challenge:c1", "abc", 60_000, T0);
      const takes = await Promise.all([
        one.portalState.take("challenge:c1", T0 + 1),
        two.portalState.take("challenge:c1", T0 + 1),
      ]);
      assert.deepEqual(
        takes.filter((t) => t !== undefined),
        ["abc"],
        "exactly one caller gets it",
      );
      await one.portalState.put("challenge:c2", "old", 1_000, T0);
      assert.equal(
        await two.portalState.take("challenge:c2", T0 + 5_000),
        undefined,
        "an expired one is not taken",
      );
      await two.portalState.delete("session:s1");
      assert.equal(await one.portalState.get("session:s1", T0), undefined);
    });

    it("claim: one holder at a time across replicas, free again once deleted or expired", async () => {
      const claims = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 ? one : two).portalState.claim("api-refresh:s", 15_000, T0),
        ),
      );
      assert.equal(claims.filter(Boolean).length, 1);
      assert.equal(await one.portalState.claim("api-refresh:s", 15_000, T0 + 14_999), false);
      assert.equal(
        await two.portalState.claim("api-refresh:s", 15_000, T0 + 15_000),
        true,
        "an expired claim is taken over",
      );
      await one.portalState.delete("api-refresh:s");
      assert.equal(await two.portalState.claim("api-refresh:s", 15_000, T0 + 15_001), true);
    });

    it("pending sign-ins are bounded: past the bound a new one is refused (429) and sessions still go in", async () => {
      const now = T0 + 10_000_000;
      for (let i = 0; i < 3; i++) await one.portalState.put(`flow:f${i}`, "x", 600_000, now);
      await assert.rejects(one.portalState.put("flow:f3", "x", 600_000, now), {
        code: "ERR_SIGN_IN_BUSY",
        kind: "limited",
      });
      await one.portalState.put("flow:f1", "y", 600_000, now); // an existing one can be rewritten
      await one.portalState.put("session:s2", "live", 600_000, now);
      assert.equal(await one.portalState.get("session:s2", now), "live");
      for (let i = 0; i < 3; i++)
        assert.ok(await one.portalState.get(`flow:f${i}`, now), "no live flow pushed out");
      // once they expire the bound frees up, and the sweep removes them
      await one.portalState.put("flow:f4", "x", 600_000, now + 600_000);
      assert.ok((await one.portalState.deleteExpired(now + 600_000)) >= 3);
    });

    it("attempt limits on the store's counters: failures on two replicas add up", async () => {
      const limits = { maxFailures: 3, windowMs: 60_000, lockMs: 300_000 };
      const onOne = new AttemptLimiter(limits, one.rateCounters, "account");
      const onTwo = new AttemptLimiter(limits, two.rateCounters, "account");
      await onOne.recordFailure(["user:bob"], T0);
      await onTwo.recordFailure(["user:bob"], T0 + 1);
      await onOne.assertAllowed(["user:bob"], T0 + 2);
      await onTwo.recordFailure(["user:bob"], T0 + 2);
      await assert.rejects(onOne.assertAllowed(["user:bob"], T0 + 3), AttemptsLockedError);
      await onTwo.assertAllowed(["user:bob"], T0 + 2 + 300_000);
      await onTwo.recordSuccess(["user:bob"]);
      await onOne.assertAllowed(["user:bob"], T0 + 4);
    });

    it("server secrets: sealed, the first writer wins, every replica reads that one", async () => {
      await Promise.all([
        one.serverSecrets.createIfAbsent("k", "first", T0),
        two.serverSecrets.createIfAbsent("k", "second", T0),
      ]);
      const a = await one.serverSecrets.get("k");
      assert.ok(a === "first" || a === "second");
      assert.equal(await two.serverSecrets.get("k"), a);
      const [row] = await db.raw("select sealed from server_secrets where name = ?", ["k"]);
      assert.ok(!String(row?.sealed).includes(String(a)), "stored sealed, not in clear");
      const wrongKek = await openStore({ url: db.url, keyEncryptionKey: new Uint8Array(32).fill(9) }).catch(
        () => undefined,
      );
      if (wrongKek) {
        await assert.rejects(wrongKek.serverSecrets.get("k"));
        await wrongKek.close();
      }
    });

    if (dialect === "postgres")
      it("change notices: another connection hears a commit at once; never a rollback or another schema", async () => {
        const heard: string[] = [];
        let listening = false;
        const stop = two.changeNotices?.subscribe(
          (tenantId) => heard.push(tenantId),
          (up) => {
            listening = up;
          },
        );
        assert.ok(stop, "PostgreSQL stores have change notices");
        const other = createTestDatabase("postgres");
        const elsewhere = await other.open();
        try {
          for (let i = 0; !listening && i < 200; i++) await new Promise((r) => setTimeout(r, 10));
          assert.ok(listening);
          const tenant = await createTenant(one.directory, { name: "notices" });
          const t0 = performance.now();
          await createUser(one.directory, {
            tenantId: tenant.id,
            upn: "n@notices.example",
            displayName: "N",
          });
          while (!heard.includes(tenant.id) && performance.now() - t0 < 2_000)
            await new Promise((r) => setTimeout(r, 2));
          assert.ok(heard.includes(tenant.id), "the commit was heard");
          const ms = performance.now() - t0;
          assert.ok(ms < 1_000, `heard in ${ms} ms`);
          heard.length = 0;
          await assert.rejects(
            one.transaction(async (tx) => {
              await createUser(tx.directory, {
                tenantId: tenant.id,
                upn: "r@notices.example",
                displayName: "R",
              });
              throw new Error("roll back");
            }),
            /roll back/,
          );
          const elsewhereTenant = await createTenant(elsewhere.directory, { name: "elsewhere" });
          await createUser(elsewhere.directory, {
            tenantId: elsewhereTenant.id,
            upn: "e@elsewhere.example",
            displayName: "E",
          });
          await new Promise((r) => setTimeout(r, 300));
          assert.deepEqual(heard, [], "nothing for a rolled-back change or another schema's");
        } finally {
          await stop?.();
          await elsewhere.close();
          await other.drop();
        }
      });
  });

describe("portal state in memory", () => {
  it("a flood of pending sign-ins never pushes out a session", async () => {
    const store = new InMemoryStateStore();
    await store.put("session:keep", "me", 3_600_000, T0);
    for (let i = 0; i < 120_000; i++) await store.put(`flow:${i}`, "x", 600_000, T0);
    assert.equal(await store.get("session:keep", T0 + 1), "me");
    assert.equal(await store.get("flow:0", T0 + 1), undefined, "the oldest pending one went");
    assert.equal(await store.get("flow:119999", T0 + 1), "x");
  });
});
