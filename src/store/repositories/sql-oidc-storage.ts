/**
 * oidc-provider's models in one table keyed by (model, id). Expiry is checked in every read's
 * WHERE clause, so an expired row is invisible before `deleteExpired` removes it. The two
 * operations that must be atomic across replicas are single statements:
 * - `consume`: `UPDATE ... WHERE consumed_at IS NULL` (the row lock on PostgreSQL, the single
 *   writer on SQLite make exactly one caller see one changed row);
 * - `insertIfAbsent`: `INSERT ... ON CONFLICT DO UPDATE ... WHERE expires_at <= now` (a live row
 *   blocks it through the primary key; an expired one is replaced).
 */
import type { Selectable } from "kysely";
import type { OidcModelName, OidcPayload } from "../../auth/index.ts";
import { changed, type StoreContext } from "../lib/context.ts";
import { keyText } from "../lib/key-text.ts";
import type { Database } from "../schema.ts";
import type { OidcStore } from "../sign-in-types.ts";

type Row = Selectable<Database["oidc_entries"]>;

const text = (value: unknown): string | null => (typeof value === "string" ? keyText(value) : null);

function rowOf(
  model: OidcModelName,
  id: string,
  payload: OidcPayload,
  expiresInSeconds: number,
  now: number,
) {
  if (!Number.isFinite(expiresInSeconds)) throw new TypeError("expiresInSeconds must be a finite number");
  const { consumed, ...rest } = payload as Record<string, unknown>;
  return {
    model,
    id: keyText(id),
    payload: JSON.stringify(rest),
    grant_id: text(payload.grantId),
    user_code: text(payload.userCode),
    uid: text(payload.uid),
    consumed_at: typeof consumed === "number" ? Math.floor(consumed * 1000) : null,
    expires_at: now + Math.round(expiresInSeconds * 1000),
  };
}

function payloadOf(row: Pick<Row, "payload" | "consumed_at">): OidcPayload {
  const payload = JSON.parse(row.payload) as Record<string, unknown>;
  // oidc-provider reads `consumed` as epoch seconds.
  if (row.consumed_at !== null) payload.consumed = Math.floor(Number(row.consumed_at) / 1000);
  return payload;
}

export function sqlOidcStorage(ctx: StoreContext, clock: () => number = Date.now): OidcStore {
  const { db } = ctx;
  const live = (model: OidcModelName, now: number) =>
    db
      .selectFrom("oidc_entries")
      .select(["payload", "consumed_at"])
      .where("model", "=", model)
      .where("expires_at", ">", now);

  // INSERT ... ON CONFLICT DO UPDATE ... WHERE expired: a live row blocks its entry (not
  // returned), an expired one is replaced (returned). All inserted ⇔ one row returned per entry.
  const insertAll = async (
    model: OidcModelName,
    entries: readonly {
      readonly id: string;
      readonly payload: OidcPayload;
      readonly expiresInSeconds: number;
    }[],
  ): Promise<boolean> => {
    if (entries.length === 0) return true;
    const now = clock();
    const rows = entries.map((e) => rowOf(model, e.id, e.payload, e.expiresInSeconds, now));
    const inserted = await db
      .insertInto("oidc_entries")
      .values(rows)
      .onConflict((oc) =>
        oc
          .columns(["model", "id"])
          .doUpdateSet((eb) => ({
            payload: eb.ref("excluded.payload"),
            grant_id: eb.ref("excluded.grant_id"),
            user_code: eb.ref("excluded.user_code"),
            uid: eb.ref("excluded.uid"),
            consumed_at: eb.ref("excluded.consumed_at"),
            expires_at: eb.ref("excluded.expires_at"),
          }))
          .where("oidc_entries.expires_at", "<=", now),
      )
      .returning("id")
      .execute();
    return inserted.length === entries.length;
  };
  return {
    async upsert(model, id, payload, expiresInSeconds) {
      const row = rowOf(model, id, payload, expiresInSeconds, clock());
      await db
        .insertInto("oidc_entries")
        .values(row)
        .onConflict((oc) =>
          oc.columns(["model", "id"]).doUpdateSet({
            payload: row.payload,
            grant_id: row.grant_id,
            user_code: row.user_code,
            uid: row.uid,
            consumed_at: row.consumed_at,
            expires_at: row.expires_at,
          }),
        )
        .execute();
    },

    async insertIfAbsent(model, id, payload, expiresInSeconds) {
      return insertAll(model, [{ id, payload, expiresInSeconds }]);
    },

    insertAllIfAbsent: (model, entries) => insertAll(model, entries),

    async find(model, id) {
      const row = await live(model, clock()).where("id", "=", keyText(id)).executeTakeFirst();
      return row && payloadOf(row);
    },

    async findByUserCode(model, userCode) {
      const row = await live(model, clock())
        .where("user_code", "=", keyText(userCode))
        .limit(1)
        .executeTakeFirst();
      return row && payloadOf(row);
    },

    async findByUid(model, uid) {
      const row = await live(model, clock()).where("uid", "=", keyText(uid)).limit(1).executeTakeFirst();
      return row && payloadOf(row);
    },

    async consume(model, id) {
      const now = clock();
      const result = await db
        .updateTable("oidc_entries")
        .set({ consumed_at: now })
        .where("model", "=", model)
        .where("id", "=", keyText(id))
        .where("consumed_at", "is", null)
        .where("expires_at", ">", now)
        .executeTakeFirst();
      return changed(result);
    },

    async destroy(model, id) {
      await db.deleteFrom("oidc_entries").where("model", "=", model).where("id", "=", keyText(id)).execute();
    },

    async revokeByGrantId(model, grantId) {
      await db
        .deleteFrom("oidc_entries")
        .where("model", "=", model)
        .where("grant_id", "=", keyText(grantId))
        .execute();
    },

    async deleteExpired() {
      const result = await db
        .deleteFrom("oidc_entries")
        .where("expires_at", "<=", clock())
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
