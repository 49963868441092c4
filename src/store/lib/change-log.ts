/**
 * Writing and reading the change log (shared/change-log.ts). Repositories call `recordChanges`
 * inside the transaction that makes the change, so the entry commits with it or not at all.
 */
import { sql } from "kysely";
import type { ChangeLogReader, LoggedChange } from "../../shared/change-log.ts";
import { CHANGE_CHANNEL } from "../postgres/change-notices.ts";
import type { StoreContext } from "./context.ts";

/** An entry as a repository writes it: kind plus body fields. */
export interface ChangeToRecord {
  readonly kind: string;
  readonly [field: string]: unknown;
}

const MAX_READ = 10_000;

/**
 * Takes the tenant's next versions under the head row's lock (held until commit: readers see
 * versions in order) and inserts the entries. Returns the last version. Transactions only.
 */
export async function recordChanges(
  tx: StoreContext,
  tenantId: string,
  changes: readonly ChangeToRecord[],
  now: number = Date.now(),
): Promise<number> {
  if (!tx.inTransaction) throw new TypeError("recordChanges must run inside the change's transaction");
  if (changes.length === 0) return headOf(tx, tenantId);
  const n = changes.length;
  const head = await tx.db
    .insertInto("change_heads")
    .values({ tenant_id: tenantId, version: n })
    .onConflict((oc) =>
      oc.column("tenant_id").doUpdateSet((eb) => ({ version: eb("change_heads.version", "+", n) })),
    )
    .returning("version")
    .executeTakeFirstOrThrow();
  const last = Number(head.version);
  await tx.db
    .insertInto("change_log")
    .values(
      changes.map(({ kind, ...body }, i) => ({
        tenant_id: tenantId,
        version: last - n + 1 + i,
        kind,
        body: JSON.stringify(body),
        at: now,
      })),
    )
    .execute();
  // Every replica hears of it (up to which version) when, and only if, this transaction commits
  // (postgres/change-notices.ts); this process is told at once after the commit (context.ts).
  if (tx.profile.name === "postgres")
    await sql`select pg_notify(${CHANGE_CHANNEL}, current_schema() || ':' || cast(${tenantId} as text) || ':' || cast(${last} as text))`.execute(
      tx.db,
    );
  tx.recorded?.set(tenantId, Math.max(last, tx.recorded.get(tenantId) ?? 0));
  return last;
}

/**
 * Takes the tenant's head-row lock without writing an entry. A transaction that will record
 * changes after other row writes calls this first, so every writer takes the head before any row
 * lock and two writers cannot wait on each other (PostgreSQL; SQLite has one writer).
 */
export async function lockChangeHead(tx: StoreContext, tenantId: string): Promise<void> {
  if (!tx.inTransaction) throw new TypeError("lockChangeHead must run inside a transaction");
  await tx.db
    .insertInto("change_heads")
    .values({ tenant_id: tenantId, version: 0 })
    .onConflict((oc) =>
      oc.column("tenant_id").doUpdateSet((eb) => ({ version: eb.ref("change_heads.version") })),
    )
    .execute();
}

async function headOf(ctx: StoreContext, tenantId: string): Promise<number> {
  const r = await ctx.db
    .selectFrom("change_heads")
    .select("version")
    .where("tenant_id", "=", tenantId)
    .executeTakeFirst();
  return Number(r?.version ?? 0);
}

/**
 * `headOf` for the hot path (every access decision reads it): the query is built and compiled
 * once per handle and only its parameter changes.
 */
function headReader(ctx: StoreContext): (tenantId: string) => Promise<number> {
  const compiled = ctx.db.selectFrom("change_heads").select("version").where("tenant_id", "=", "").compile();
  return async (tenantId) => {
    const r = await ctx.db.executeQuery<{ version: number | string }>({
      ...compiled,
      parameters: [tenantId],
    });
    return Number(r.rows[0]?.version ?? 0);
  };
}

export function sqlChangeLog(ctx: StoreContext): ChangeLogReader {
  return {
    head: headReader(ctx),
    async since(tenantId, after, limit) {
      const rows = await ctx.db
        .selectFrom("change_log")
        .select(["version", "kind", "body"])
        .where("tenant_id", "=", tenantId)
        .where("version", ">", after)
        .orderBy("version")
        .limit(Math.max(1, Math.min(Math.trunc(limit) || 1, MAX_READ)))
        .execute();
      return rows.map(
        (r) =>
          ({ ...(JSON.parse(r.body) as object), kind: r.kind, version: Number(r.version) }) as LoggedChange,
      );
    },
  };
}

/** Records the same entry in every tenant's log (for what all tenants share: the CA keys). */
export async function recordForEveryTenant(tx: StoreContext, change: ChangeToRecord): Promise<void> {
  const tenants = await tx.db.selectFrom("tenants").select("id").orderBy("id").execute();
  for (const t of tenants) await recordChanges(tx, t.id, [change]);
}
