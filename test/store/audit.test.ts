/** The activity log on both dialects: appends in transactions, queries, and tamper detection. */
import assert from "node:assert/strict";
import { after, beforeEach, describe, it } from "node:test";
import {
  type AuditRepository,
  appendAuditEvent,
  createAuditWriter,
  queryAuditEvents,
  verifyAuditChain,
} from "../../src/audit/index.ts";
import { createTenant, createUser, type Tenant } from "../../src/directory/index.ts";
import type { Store } from "../../src/store/index.ts";
import { createTestDatabase, selectedDialects, type TestDatabase } from "./dialects.ts";

for (const dialect of selectedDialects()) {
  describe(`audit on ${dialect}`, () => {
    let database: TestDatabase;
    let store: Store;
    let tenant: Tenant;
    const t0 = Date.parse("2026-06-01T00:00:00Z");
    const append = (i: number, extra: Partial<Parameters<typeof appendAuditEvent>[1]> = {}) =>
      appendAuditEvent(store.audit, {
        tenantId: tenant.id,
        actor: i % 2 === 0 ? "alice" : "bob",
        action: "roleAssignments/write",
        target: `/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/RG${i % 3}`,
        result: "success",
        details: { i, note: "'; DROP TABLE audit_events;--" },
        now: () => new Date(t0 + i * 60_000),
        ...extra,
      });

    // A fresh database per test: tampering in one must not leak into the next.
    beforeEach(async () => {
      database = createTestDatabase(dialect);
      store = await database.open();
      tenant = await createTenant(store.directory, { name: "woodgrove" });
      for (let i = 0; i < 10; i++) await append(i);
    });
    const cleanup = async () => {
      await store?.close();
      await database?.drop();
    };
    after(cleanup);

    it("verifies an intact chain and queries by time, actor and target with pages", async () => {
      assert.deepEqual(await verifyAuditChain(store.audit), {
        ok: true,
        checked: 10,
        headSeq: 10,
        headHash: (await store.audit.getHead()).hash,
        problems: [],
      });
      const byActor = await queryAuditEvents(
        store.audit,
        { tenantId: tenant.id, actor: "alice" },
        { limit: 3 },
      );
      assert.deepEqual(
        byActor.items.map((e) => e.details.i),
        [8, 6, 4],
      );
      const next = await queryAuditEvents(
        store.audit,
        { tenantId: tenant.id, actor: "alice" },
        { limit: 3, cursor: byActor.nextCursor },
      );
      assert.deepEqual(
        next.items.map((e) => e.details.i),
        [2, 0],
      );
      assert.equal(next.nextCursor, undefined);
      const range = await queryAuditEvents(
        store.audit,
        { tenantId: tenant.id, from: new Date(t0 + 2 * 60_000), to: new Date(t0 + 5 * 60_000) },
        { limit: 100 },
      );
      assert.deepEqual(
        range.items.map((e) => e.details.i),
        [4, 3, 2],
      );
      const target = await queryAuditEvents(
        store.audit,
        {
          tenantId: tenant.id,
          target: "/SUBSCRIPTIONS/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourcegroups/rg1",
        },
        { limit: 100 },
      );
      assert.deepEqual(
        target.items.map((e) => e.details.i),
        [7, 4, 1],
      );
      await cleanup();
    });

    it("detects an edited row and names it", async () => {
      await database.raw("update audit_events set actor = 'mallory' where seq = 4");
      const result = await verifyAuditChain(store.audit);
      assert.equal(result.ok, false);
      assert.deepEqual(
        result.problems.map((p) => [p.seq, p.problem]),
        [[4, "edited"]],
      );
      await cleanup();
    });

    it("detects an edited row whose hash was recomputed (the next link breaks)", async () => {
      await database.raw("update audit_events set details = '{}', hash = ? where seq = 4", ["f".repeat(64)]);
      const result = await verifyAuditChain(store.audit);
      assert.deepEqual(
        result.problems.map((p) => [p.seq, p.problem]),
        [
          [4, "edited"],
          [5, "broken_link"],
        ],
      );
      await cleanup();
    });

    it("detects deleted, reordered and truncated rows", async () => {
      await database.raw("delete from audit_events where seq = 3");
      // Swap rows 6 and 7 by renumbering them.
      await database.raw("update audit_events set seq = 100 where seq = 6");
      await database.raw("update audit_events set seq = 6 where seq = 7");
      await database.raw("update audit_events set seq = 7 where seq = 100");
      await database.raw("delete from audit_events where seq = 10");
      const problems = (await verifyAuditChain(store.audit)).problems.map((p) => [p.seq, p.problem]);
      assert.deepEqual(problems, [
        [4, "missing"],
        [6, "reordered"],
        [7, "reordered"],
        [8, "reordered"],
        [10, "head_mismatch"],
      ]);
      await cleanup();
    });

    it("serialises concurrent appends so the chain never forks", async () => {
      await Promise.all(Array.from({ length: 25 }, (_, i) => append(100 + i)));
      const result = await verifyAuditChain(store.audit, { pageSize: 7 });
      assert.equal(result.ok, true, JSON.stringify(result.problems));
      assert.equal(result.checked, 35);
      await cleanup();
    });

    it("groups concurrent appends into few transactions, in call order, acknowledged after commit", async () => {
      let transactions = 0;
      let failNext = false;
      const counting: AuditRepository = {
        ...store.audit,
        transaction: (work) =>
          store.audit.transaction((tx) => {
            transactions++;
            return work({
              ...tx,
              append: async (events, seal) => {
                if (failNext) {
                  failNext = false;
                  throw new Error("disk full");
                }
                await tx.append(events, seal);
              },
            });
          }),
      };
      const writer = createAuditWriter(counting, { maxBatch: 64 });
      const events = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          writer.append({
            tenantId: tenant.id,
            actor: "carol",
            action: "signIn",
            target: `user${i}`,
            result: "success",
          }),
        ),
      );
      assert.deepEqual(
        events.map((e) => e.seq),
        Array.from({ length: 300 }, (_, i) => 11 + i),
      );
      assert.ok(transactions <= 10, `${transactions} transactions for 300 appends`);
      assert.equal((await verifyAuditChain(store.audit)).ok, true);
      // A failed transaction rejects its whole batch and leaves the chain intact.
      failNext = true;
      const failed = await Promise.allSettled(
        [1, 2, 3].map((i) =>
          writer.append({
            tenantId: tenant.id,
            actor: "carol",
            action: "signIn",
            target: `f${i}`,
            result: "failure",
          }),
        ),
      );
      assert.deepEqual(
        failed.map((r) => r.status),
        ["rejected", "rejected", "rejected"],
      );
      const after = await writer.append({
        tenantId: tenant.id,
        actor: "carol",
        action: "signIn",
        target: "ok",
        result: "success",
      });
      assert.equal(after.seq, 311);
      await writer.flush();
      assert.deepEqual(await verifyAuditChain(store.audit), {
        ok: true,
        checked: 311,
        headSeq: 311,
        headHash: (await store.audit.getHead()).hash,
        problems: [],
      });
      await assert.rejects(
        writer.append({ tenantId: tenant.id, actor: "", action: "x", target: "y", result: "success" }),
      );
      await cleanup();
    });

    it("commits or rolls back together with the change it records", async () => {
      await assert.rejects(
        store.transaction(async (tx) => {
          await createUser(tx.directory, {
            tenantId: tenant.id,
            upn: "temp@woodgrove.com",
            displayName: "Temp",
          });
          await appendAuditEvent(tx.audit, {
            tenantId: tenant.id,
            actor: "system",
            action: "users/write",
            target: "temp@woodgrove.com",
            result: "success",
          });
          throw new Error("abort");
        }),
        /abort/,
      );
      assert.equal(await store.directory.findUserByUpn(tenant.id, "temp@woodgrove.com"), undefined);
      const head = (await verifyAuditChain(store.audit)).headSeq;
      assert.equal(head, 10, "the event recorded with the aborted change is gone too");
      await cleanup();
    });
  });
}
