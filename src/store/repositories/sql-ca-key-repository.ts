/**
 * CA key records (ca/ `CaKeyRecord`). The private key arrives sealed by ca/ (its additional data
 * binds it to the record's id and purpose) and is stored verbatim; this file never opens it.
 */
import type { Selectable } from "kysely";
import {
  CA_KEY_STATES,
  CA_PURPOSES,
  type CaKeyRecord,
  type CaKeyState,
  type CaPurpose,
} from "../../ca/index.ts";
import { classifyDbError } from "../dialect-profile.ts";
import { recordForEveryTenant } from "../lib/change-log.ts";
import { millis, type StoreContext, toDate, withTransaction } from "../lib/context.ts";
import type { Database } from "../schema.ts";
import { KeyStateConflictError } from "../sign-in-errors.ts";
import type { CaKeyRepository } from "../sign-in-types.ts";

function toRecord(r: Selectable<Database["ca_keys"]>): CaKeyRecord {
  return {
    id: r.id,
    purpose: r.purpose as CaPurpose,
    state: r.state as CaKeyState,
    publicKey: r.public_key,
    sealedPrivateKey: r.sealed_private_key,
    createdAt: toDate(r.created_at),
    stateChangedAt: toDate(r.state_changed_at),
  };
}

function checkState(state: string): void {
  if (!(CA_KEY_STATES as readonly string[]).includes(state))
    throw new TypeError(`unknown CA key state ${state}`);
}

export function sqlCaKeyRepository(ctx: StoreContext): CaKeyRepository {
  const { db } = ctx;
  const conflict = (error: unknown): never => {
    if (classifyDbError(ctx.profile, error) === "unique")
      throw new KeyStateConflictError("another CA key of this purpose is active, or the id exists", {
        cause: error,
      });
    throw error;
  };

  return {
    async list(purpose) {
      let q = db.selectFrom("ca_keys").selectAll();
      if (purpose !== undefined) q = q.where("purpose", "=", purpose);
      return (await q.orderBy("created_at").orderBy("id").execute()).map(toRecord);
    },

    async insert(record) {
      if (!(CA_PURPOSES as readonly string[]).includes(record.purpose))
        throw new TypeError(`unknown CA purpose ${record.purpose}`);
      checkState(record.state);
      await withTransaction(ctx, async (tx) => {
        await tx.db
          .insertInto("ca_keys")
          .values({
            id: record.id,
            purpose: record.purpose,
            state: record.state,
            public_key: record.publicKey,
            sealed_private_key: record.sealedPrivateKey,
            created_at: millis(record.createdAt),
            state_changed_at: millis(record.stateChangedAt),
          })
          .execute()
          .catch(conflict);
        await recordForEveryTenant(tx, { kind: "caKeys.changed", purpose: record.purpose });
      });
    },

    saveStates(records) {
      for (const r of records) checkState(r.state);
      // Keys leaving `active` first: the partial unique index is checked per statement.
      const ordered = [...records].sort(
        (a, b) => Number(a.state === "active") - Number(b.state === "active"),
      );
      return withTransaction(ctx, async (tx) => {
        if (records.length === 0) return;
        for (const r of ordered) {
          const result = await tx.db
            .updateTable("ca_keys")
            .set({ state: r.state, state_changed_at: millis(r.stateChangedAt) })
            .where("id", "=", r.id)
            .executeTakeFirst()
            .catch(conflict);
          if (result.numUpdatedRows === 0n) throw new KeyStateConflictError(`CA key ${r.id} does not exist`);
        }
        const purposes = await tx.db
          .selectFrom("ca_keys")
          .select("purpose")
          .distinct()
          .where(
            "id",
            "in",
            records.map((r) => r.id),
          )
          .execute();
        for (const { purpose } of purposes)
          await recordForEveryTenant(tx, { kind: "caKeys.changed", purpose });
      });
    },
  };
}
