/** What every repository is built from: a Kysely handle, the dialect profile and whether it is a transaction. */
import type { Kysely } from "kysely";
import { classifyDbError, type DialectProfile } from "../dialect-profile.ts";
import type { Database } from "../schema.ts";

export interface StoreContext {
  readonly db: Kysely<Database>;
  readonly profile: DialectProfile;
  readonly inTransaction: boolean;
  /**
   * Told, synchronously once a transaction committed and before its caller resumes, the last
   * change-log version it recorded per tenant (this process's own commits; postgres/change-notices.ts).
   */
  readonly committed?: (versions: ReadonlyMap<string, number>) => void;
  /** In a transaction: the last version `recordChanges` took per tenant, told to `committed` after commit. */
  readonly recorded?: Map<string, number>;
}

/**
 * Runs `work` with a context bound to a transaction. Already inside one, it reuses it: use cases
 * compose (a role assignment and its audit event commit together) without nested transactions.
 */
export async function withTransaction<T>(
  ctx: StoreContext,
  work: (tx: StoreContext) => Promise<T>,
): Promise<T> {
  if (ctx.inTransaction) return work(ctx);
  const recorded = new Map<string, number>();
  const value = await ctx.db.transaction().execute((trx) =>
    work({
      db: trx,
      profile: ctx.profile,
      inTransaction: true,
      recorded,
      ...(ctx.committed ? { committed: ctx.committed } : {}),
    }),
  );
  if (recorded.size > 0) ctx.committed?.(recorded);
  return value;
}

/** Runs an insert and turns a unique-constraint violation into the domain's conflict error. */
export async function insertOrConflict<T>(
  ctx: StoreContext,
  run: () => Promise<T>,
  conflict: () => Error,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (classifyDbError(ctx.profile, error) === "unique") throw conflict();
    throw error;
  }
}

export const millis = (d: Date): number => d.getTime();
export const toDate = (ms: number | string): Date => new Date(Number(ms));
export const changed = (r: { numUpdatedRows?: bigint; numDeletedRows?: bigint }): boolean =>
  (r.numUpdatedRows ?? r.numDeletedRows ?? 0n) > 0n;
