/** What every repository is built from: a Kysely handle, the dialect profile and whether it is a transaction. */
import type { Kysely } from "kysely";
import { classifyDbError, type DialectProfile } from "../dialect-profile.ts";
import type { Database } from "../schema.ts";

export interface StoreContext {
  readonly db: Kysely<Database>;
  readonly profile: DialectProfile;
  readonly inTransaction: boolean;
}

/**
 * Runs `work` with a context bound to a transaction. Already inside one, it reuses it: use cases
 * compose (a role assignment and its audit event commit together) without nested transactions.
 */
export function withTransaction<T>(ctx: StoreContext, work: (tx: StoreContext) => Promise<T>): Promise<T> {
  if (ctx.inTransaction) return work(ctx);
  return ctx.db.transaction().execute((trx) => work({ db: trx, profile: ctx.profile, inTransaction: true }));
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
