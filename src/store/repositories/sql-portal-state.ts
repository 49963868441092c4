/**
 * The portal's server-side state in a table (migration 0100), so a sign-in started on one replica
 * finishes on another and a portal session made on one works on every one. Same contract as the
 * portal's `PortalStateStore`: the caller passes its clock's time; an expired row reads as absent;
 * `take` is one `DELETE … RETURNING`, so exactly one caller gets a one-time value.
 *
 * Bounded without evicting anyone: state that anybody can create without signing in
 * (shared/sign-in-state.ts: flows, challenges, pending OAuth and federated requests) counts towards
 * `MAX_PENDING` live rows; past it a new one is refused (`ERR_SIGN_IN_BUSY`, 429) instead of
 * pushing out live ones, and sessions (made only by a successful sign-in) are never counted or
 * pushed out. Expired rows are swept by `deleteExpired` (startExpirySweep).
 */
import { sql } from "kysely";
import { PENDING_STATE_KINDS, stateKindOf } from "../../shared/sign-in-state.ts";
import type { StoreContext } from "../lib/context.ts";
import { freeText, keyText } from "../lib/key-text.ts";
import { SignInBusyError } from "../sign-in-errors.ts";
import type { PortalStateRepository } from "../sign-in-types.ts";

export const MAX_PENDING = 100_000;

export function sqlPortalState(
  ctx: StoreContext,
  limits: { maxPending: number } = { maxPending: MAX_PENDING },
): PortalStateRepository {
  const { db } = ctx;
  const pending = [...PENDING_STATE_KINDS];
  return {
    async put(key, value, ttlMs, nowMs) {
      if (!(Number.isFinite(ttlMs) && ttlMs > 0)) throw new TypeError("ttlMs must be positive");
      const kind = stateKindOf(key);
      const expiresAt = nowMs + Math.ceil(ttlMs);
      if (PENDING_STATE_KINDS.has(kind)) {
        // Counts at most maxPending rows: the check costs no more under a flood than at the bound.
        const { rows } = await sql<{ n: number | string }>`
          select count(*) as n from (
            select 1 from portal_state
            where kind in (${sql.join(pending)}) and expires_at > ${nowMs} and key <> ${keyText(key)}
            limit ${limits.maxPending}
          ) live`.execute(db);
        if (Number(rows[0]?.n ?? 0) >= limits.maxPending)
          throw new SignInBusyError("too many sign-ins are in progress; try again in a few minutes");
      }
      await db
        .insertInto("portal_state")
        .values({ key: keyText(key), kind, value: freeText(value), expires_at: expiresAt })
        .onConflict((oc) =>
          oc.column("key").doUpdateSet({ kind, value: freeText(value), expires_at: expiresAt }),
        )
        .execute();
    },
    async get(key, nowMs) {
      const row = await db
        .selectFrom("portal_state")
        .select("value")
        .where("key", "=", keyText(key))
        .where("expires_at", ">", nowMs)
        .executeTakeFirst();
      return row?.value;
    },
    async take(key, nowMs) {
      const row = await db
        .deleteFrom("portal_state")
        .where("key", "=", keyText(key))
        .returning(["value", "expires_at"])
        .executeTakeFirst();
      return row !== undefined && Number(row.expires_at) > nowMs ? row.value : undefined;
    },
    async delete(key) {
      await db.deleteFrom("portal_state").where("key", "=", keyText(key)).execute();
    },
    async claim(key, ttlMs, nowMs) {
      const expiresAt = nowMs + Math.ceil(ttlMs);
      // Inserted, or taken over from an expired row; a live row is left alone (no row returned).
      const row = await db
        .insertInto("portal_state")
        .values({ key: keyText(key), kind: stateKindOf(key), value: "claimed", expires_at: expiresAt })
        .onConflict((oc) =>
          oc
            .column("key")
            .doUpdateSet({ value: "claimed", expires_at: expiresAt })
            .where("portal_state.expires_at", "<=", nowMs),
        )
        .returning("key")
        .executeTakeFirst();
      return row !== undefined;
    },
    async deleteExpired(nowMs) {
      const r = await db.deleteFrom("portal_state").where("expires_at", "<=", nowMs).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
