/**
 * The one rate-limit mechanism's table (shared/rate-counters.ts): `RateCounters` with the caller's
 * time, and auth's `ThrottleStore` on it, so replicas share one allowance (the in-memory counters
 * give each replica its own). `increment` is one upsert: a live counter goes up by one, an expired
 * one restarts at 1 with a new lifetime; both engines evaluate the SET against the old row, under
 * the row lock (PostgreSQL) or the single writer (SQLite), so concurrent increments never get lost.
 */
import { sql } from "kysely";
import { throttleStoreOver } from "../../auth/index.ts";
import type { RateCounters } from "../../shared/rate-counters.ts";
import type { StoreContext } from "../lib/context.ts";
import { freeText, keyText } from "../lib/key-text.ts";
import type { SqlThrottleStore } from "../sign-in-types.ts";

const checked = (ms: number): number => {
  if (!Number.isFinite(ms)) throw new TypeError("a lifetime must be a finite number");
  return Math.round(ms);
};

export function sqlRateCounters(ctx: StoreContext): RateCounters {
  const { db } = ctx;
  return {
    async increment(key, lifetimeMs, now) {
      const expiresAt = now + checked(lifetimeMs);
      const { rows } = await sql<{ value: string }>`
        insert into throttle_entries (key, value, expires_at) values (${keyText(key)}, '1', ${expiresAt})
        on conflict (key) do update set
          value = case when throttle_entries.expires_at <= ${now} then '1'
                  else cast(cast(throttle_entries.value as bigint) + 1 as text) end,
          expires_at = case when throttle_entries.expires_at <= ${now} then excluded.expires_at
                       else throttle_entries.expires_at end
        returning value`.execute(db);
      return Number(rows[0]?.value);
    },
    async read(key, now) {
      const row = await db
        .selectFrom("throttle_entries")
        .select("value")
        .where("key", "=", keyText(key))
        .where("expires_at", ">", now)
        .executeTakeFirst();
      return row?.value;
    },
    async write(key, value, lifetimeMs, now) {
      const expiresAt = now + checked(lifetimeMs);
      await db
        .insertInto("throttle_entries")
        .values({ key: keyText(key), value: freeText(value), expires_at: expiresAt })
        .onConflict((oc) => oc.column("key").doUpdateSet({ value: freeText(value), expires_at: expiresAt }))
        .execute();
    },
    async remove(keys) {
      if (keys.length === 0) return;
      await db.deleteFrom("throttle_entries").where("key", "in", keys.map(keyText)).execute();
    },
  };
}

export function sqlThrottleStore(ctx: StoreContext, clock: () => number = Date.now): SqlThrottleStore {
  return {
    ...throttleStoreOver(sqlRateCounters(ctx), clock),
    async deleteExpired() {
      const r = await ctx.db
        .deleteFrom("throttle_entries")
        .where("expires_at", "<=", clock())
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
