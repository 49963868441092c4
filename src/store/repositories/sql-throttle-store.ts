/**
 * `ThrottleStore` in a table, so replicas share one allowance (the in-memory store gives each
 * replica its own). `increment` is one upsert: a live counter goes up by one, an expired one
 * restarts at 1 with a new lifetime; both engines evaluate the SET against the old row, under the
 * row lock (PostgreSQL) or the single writer (SQLite), so concurrent increments never get lost.
 */
import { sql } from "kysely";
import type { StoreContext } from "../lib/context.ts";
import { freeText, keyText } from "../lib/key-text.ts";
import type { SqlThrottleStore } from "../sign-in-types.ts";

const expiry = (now: number, lifetimeSeconds: number): number => {
  if (!Number.isFinite(lifetimeSeconds)) throw new TypeError("lifetimeSeconds must be a finite number");
  return now + Math.round(lifetimeSeconds * 1000);
};

export function sqlThrottleStore(ctx: StoreContext, clock: () => number = Date.now): SqlThrottleStore {
  const { db } = ctx;
  const live = async (key: string) =>
    db
      .selectFrom("throttle_entries")
      .select("value")
      .where("key", "=", keyText(key))
      .where("expires_at", ">", clock())
      .executeTakeFirst();

  return {
    async increment(key, lifetimeSeconds) {
      const now = clock();
      const expiresAt = expiry(now, lifetimeSeconds);
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

    async count(key) {
      const row = await live(key);
      return row === undefined ? 0 : Number(row.value);
    },

    async get(key) {
      return (await live(key))?.value;
    },

    async put(key, value, lifetimeSeconds) {
      const expiresAt = expiry(clock(), lifetimeSeconds);
      await db
        .insertInto("throttle_entries")
        .values({ key: keyText(key), value: freeText(value), expires_at: expiresAt })
        .onConflict((oc) => oc.column("key").doUpdateSet({ value: freeText(value), expires_at: expiresAt }))
        .execute();
    },

    async deleteExpired() {
      const r = await db.deleteFrom("throttle_entries").where("expires_at", "<=", clock()).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
