/** AuditRepository on Kysely. Appends lock the single chain-head row, so the chain never forks. */
import type { Selectable } from "kysely";
import type { AuditChainKey, AuditEvent, AuditRepository, AuditResult } from "../../audit/index.ts";
import { InvalidPageError } from "../errors.ts";
import { millis, type StoreContext, toDate, withTransaction } from "../lib/context.ts";
import { checkLimit } from "../lib/paging.ts";
import type { Database } from "../schema.ts";

const CHAIN = "activity";

function toEvent(r: Selectable<Database["audit_events"]>): AuditEvent {
  return {
    seq: Number(r.seq),
    id: r.id,
    time: toDate(r.time),
    tenantId: r.tenant_id,
    actor: r.actor,
    action: r.action,
    target: r.target,
    result: r.result as AuditResult,
    correlationId: r.correlation_id,
    details: JSON.parse(r.details) as Record<string, unknown>,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** `chainKey`: derived from the store's key-encryption key (audit `deriveAuditChainKey`), if it has one. */
export function sqlAuditRepository(ctx: StoreContext, chainKey?: AuditChainKey): AuditRepository {
  const { db } = ctx;
  const headOf = (r: { seq: number; hash: string; seal: string | null }) => ({
    seq: Number(r.seq),
    hash: r.hash,
    ...(r.seal === null ? {} : { seal: r.seal }),
  });
  return {
    chainKey,
    transaction: (work) => withTransaction(ctx, (tx) => work(sqlAuditRepository(tx, chainKey))),

    async lockHead() {
      if (!ctx.inTransaction) throw new TypeError("lockHead() must run inside a transaction");
      // A no-op update takes the row lock (PostgreSQL) and returns the head in one round trip.
      const r = await db
        .updateTable("audit_head")
        .set((eb) => ({ seq: eb.ref("seq") }))
        .where("chain", "=", CHAIN)
        .returning(["seq", "hash", "seal"])
        .executeTakeFirstOrThrow();
      return headOf(r);
    },
    async getHead() {
      const r = await db
        .selectFrom("audit_head")
        .select(["seq", "hash", "seal"])
        .where("chain", "=", CHAIN)
        .executeTakeFirstOrThrow();
      return headOf(r);
    },
    async append(events, seal) {
      const last = events[events.length - 1];
      if (!last) return;
      await withTransaction(ctx, async (tx) => {
        // Chunked so one statement stays under SQLite's bound-parameter limit (13 per row).
        for (let i = 0; i < events.length; i += 500) {
          await tx.db
            .insertInto("audit_events")
            .values(
              events.slice(i, i + 500).map((e) => ({
                seq: e.seq,
                id: e.id,
                time: millis(e.time),
                tenant_id: e.tenantId,
                actor: e.actor,
                action: e.action,
                target: e.target,
                target_key: e.target.toLowerCase(),
                result: e.result,
                correlation_id: e.correlationId,
                details: JSON.stringify(e.details),
                prev_hash: e.prevHash,
                hash: e.hash,
              })),
            )
            .execute();
        }
        await tx.db
          .updateTable("audit_head")
          .set({ seq: last.seq, hash: last.hash, seal })
          .where("chain", "=", CHAIN)
          .execute();
      });
    },
    async scan(afterSeq, limit) {
      const rows = await db
        .selectFrom("audit_events")
        .selectAll()
        .where("seq", ">", afterSeq)
        .orderBy("seq")
        .limit(limit)
        .execute();
      return rows.map(toEvent);
    },
    async query(f, page) {
      const limit = checkLimit(page.limit);
      let q = db.selectFrom("audit_events").selectAll().where("tenant_id", "=", f.tenantId);
      if (f.from) q = q.where("time", ">=", millis(f.from));
      if (f.to) q = q.where("time", "<", millis(f.to));
      if (f.actor !== undefined) q = q.where("actor", "=", f.actor);
      if (f.target !== undefined) q = q.where("target_key", "=", f.target.toLowerCase());
      if (f.action !== undefined) q = q.where("action", "=", f.action);
      if (f.correlationId !== undefined) q = q.where("correlation_id", "=", f.correlationId);
      if (f.result !== undefined) q = q.where("result", "=", f.result);
      if (page.cursor !== undefined) {
        if (!/^[1-9][0-9]{0,15}$/.test(page.cursor)) throw new InvalidPageError("invalid page cursor");
        q = q.where("seq", "<", Number(page.cursor));
      }
      const rows = await q
        .orderBy("seq", "desc")
        .limit(limit + 1)
        .execute();
      const items = rows.slice(0, limit).map(toEvent);
      const last = items[items.length - 1];
      return rows.length > limit && last ? { items, nextCursor: String(last.seq) } : { items };
    },
  };
}
