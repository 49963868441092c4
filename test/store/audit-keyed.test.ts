/**
 * The activity log's chain is keyed (issue 11 item 2), on both dialects: someone who can write the
 * database but does not hold the key-encryption key cannot rewrite events into a chain that
 * verifies, cannot cut the end off unseen, and a log written before keying is keyed at the
 * upgrade only if it verifies.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, beforeEach, describe, it } from "node:test";
import {
  AuditKeyMissingError,
  appendAuditEvent,
  chainHash,
  deriveAuditChainKey,
  GENESIS_HASH,
  type HashedFields,
  unkeyedChainHash,
  verifyAuditChain,
} from "../../src/audit/index.ts";
import { openStore, type Store, StoreMigrationError } from "../../src/store/index.ts";
import { createTestDatabase, selectedDialects, TEST_KEK, type TestDatabase } from "./dialects.ts";

const T0 = Date.parse("2026-06-01T00:00:00Z");

for (const dialect of selectedDialects()) {
  describe(`keyed activity log on ${dialect}`, () => {
    let database: TestDatabase;
    let store: Store | undefined;
    beforeEach(async () => {
      await store?.close();
      await database?.drop();
      database = createTestDatabase(dialect);
      store = await database.open();
      for (let i = 1; i <= 10; i++) {
        await appendAuditEvent(store.audit, {
          tenantId: "t1",
          actor: "alice",
          action: "Authorization/roleAssignments/write",
          target: `/subscriptions/s/resourceGroups/rg${i}`,
          result: "success",
          details: { i },
          now: () => new Date(T0 + i * 1000),
        });
      }
    });
    after(async () => {
      await store?.close();
      await database?.drop();
    });

    const problems = async (s: Store, options = {}) =>
      (await verifyAuditChain(s.audit, options)).problems.map((p) => [p.seq, p.problem]);
    const rows = () =>
      database.raw("select * from audit_events order by seq") as Promise<Record<string, unknown>[]>;
    const fieldsOf = (r: Record<string, unknown>): HashedFields => ({
      id: String(r.id),
      time: new Date(Number(r.time)),
      tenantId: String(r.tenant_id),
      actor: String(r.actor),
      action: String(r.action),
      target: String(r.target),
      result: r.result as HashedFields["result"],
      correlationId: String(r.correlation_id),
      details: JSON.parse(String(r.details)),
    });
    /** What an attacker with the database can do: re-link rows from `from` on with a hash it can compute. */
    const rehash = async (from: number, hash: (prev: string, fields: HashedFields) => string) => {
      let prev = GENESIS_HASH;
      let last = { seq: 0, hash: GENESIS_HASH };
      for (const r of await rows()) {
        const seq = Number(r.seq);
        if (seq >= from) {
          const next = hash(prev, fieldsOf(r));
          await database.raw("update audit_events set prev_hash = ?, hash = ? where seq = ?", [
            prev,
            next,
            seq,
          ]);
          prev = next;
        } else prev = String(r.hash);
        last = { seq, hash: prev };
      }
      await database.raw("update audit_head set seq = ?, hash = ?", [last.seq, last.hash]);
    };

    it("an attacker without the key rewrites an event and every link after it: named as edited", async () => {
      await database.raw("update audit_events set actor = 'mallory' where seq = 4");
      await rehash(4, unkeyedChainHash);
      const found = await problems(store as Store);
      assert.deepEqual(found[0], [4, "edited"]);
      assert.ok(
        found.every(([, kind]) => kind === "edited" || kind === "head_mismatch"),
        JSON.stringify(found),
      );
      // The same with an HMAC under a key of the attacker's own: no better.
      const guess = deriveAuditChainKey(randomBytes(32));
      await rehash(4, (prev, fields) => chainHash(guess, prev, fields));
      assert.deepEqual((await problems(store as Store))[0], [4, "edited"]);
    });

    it("cutting events off the end and moving the head back is seen: the head's seal", async () => {
      const eighth = (await rows())[7] as Record<string, unknown>;
      await database.raw("delete from audit_events where seq > 8");
      await database.raw("update audit_head set seq = 8, hash = ?", [String(eighth.hash)]);
      assert.deepEqual(await problems(store as Store), [[8, "head_mismatch"]]);
    });

    it("an operator's recorded head shows a log emptied back to its start", async () => {
      const { headSeq, headHash } = await verifyAuditChain((store as Store).audit);
      await database.raw("delete from audit_events");
      await database.raw("update audit_head set seq = 0, hash = ?, seal = null", [GENESIS_HASH]);
      // An empty, never-sealed log is all the key can vouch for...
      assert.deepEqual(await problems(store as Store), []);
      // ...the head recorded earlier cannot be found any more.
      assert.deepEqual(await problems(store as Store, { expect: { seq: headSeq, hash: headHash } }), [
        [10, "checkpoint_missing"],
      ]);
    });

    it("another key-encryption key verifies nothing; no key neither appends nor verifies", async () => {
      await store?.close();
      store = await openStore({ url: database.url, keyEncryptionKey: randomBytes(32) });
      const found = await problems(store);
      assert.equal(found.length, 11, JSON.stringify(found));
      await store.close();
      store = await openStore({ url: database.url });
      await assert.rejects(verifyAuditChain(store.audit), AuditKeyMissingError);
      await assert.rejects(
        appendAuditEvent(store.audit, {
          tenantId: "t1",
          actor: "a",
          action: "x",
          target: "y",
          result: "success",
        }),
        AuditKeyMissingError,
      );
      assert.equal((await store.audit.getHead()).seq, 10, "nothing unkeyed was written");
    });

    describe("a log from before keying (migration 0061)", () => {
      /** Puts the database back to how hostpass before 0061 left it: SHA-256 links, no seal column. */
      const unkey = async () => {
        await store?.close();
        store = undefined;
        await rehash(1, unkeyedChainHash);
        await database.raw("alter table audit_head drop column seal");
        await database.raw("delete from kysely_migration where name = '0061-audit-chain-keyed'");
      };

      it("is keyed at the upgrade when it verifies", async () => {
        await unkey();
        const before = await rows();
        store = await database.open();
        assert.deepEqual(await problems(store), []);
        const after = await rows();
        assert.equal(after.length, 10);
        assert.notEqual(after[0]?.hash, before[0]?.hash, "re-hashed under the key");
        assert.deepEqual(
          after.map((r) => r.details),
          before.map((r) => r.details),
        );
      });

      it("is not keyed when it does not verify, nor without the key: the upgrade stops, nothing changes", async () => {
        await unkey();
        const intact = await rows();
        store = await openStore({ url: database.url }).catch((error) => {
          assert.ok(error instanceof StoreMigrationError, String(error));
          return undefined;
        });
        assert.equal(store, undefined, "a non-empty log needs the key to be keyed");
        await database.raw("update audit_events set actor = 'mallory' where seq = 6");
        await assert.rejects(
          openStore({ url: database.url, keyEncryptionKey: TEST_KEK }),
          StoreMigrationError,
        );
        const after = await rows();
        assert.deepEqual(
          after.map((r) => r.hash),
          intact.map((r) => r.hash),
          "rolled back",
        );
      });
    });
  });
}
