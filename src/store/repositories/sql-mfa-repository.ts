/**
 * Second factors per account: one TOTP seed (sealed; the additional data names the account, so a
 * seed copied onto another account's row does not open) and any number of passkeys. A factor's
 * tenant is the account's, read from `principals` in the same transaction.
 */
import type { Selectable } from "kysely";
import type { Passkey } from "../../mfa/index.ts";
import { open, seal } from "../../shared/seal.ts";
import {
  changed,
  insertOrConflict,
  millis,
  type StoreContext,
  toDate,
  withTransaction,
} from "../lib/context.ts";
import { fromKeyText, keyText } from "../lib/key-text.ts";
import type { Database } from "../schema.ts";
import { AccountNotFoundError, PasskeyInUseError } from "../sign-in-errors.ts";
import type { MfaRepository, StoredPasskey } from "../sign-in-types.ts";

const aad = (accountId: string) => `hostpass-totp:${accountId}`;

function toStoredPasskey(r: Selectable<Database["mfa_passkeys"]>): StoredPasskey {
  return {
    accountId: r.principal_id,
    tenantId: r.tenant_id,
    passkey: {
      id: fromKeyText(r.credential_id),
      publicKey: new Uint8Array(Buffer.from(r.public_key, "base64url")),
      counter: Number(r.counter),
      transports: JSON.parse(r.transports) as string[],
    },
    createdAt: toDate(r.created_at),
    ...(r.last_used_at !== null ? { lastUsedAt: toDate(r.last_used_at) } : {}),
  };
}

function checkCounter(counter: number): void {
  if (!Number.isSafeInteger(counter) || counter < 0)
    throw new TypeError("a passkey counter is a non-negative integer");
}

export function sqlMfaRepository(ctx: StoreContext, kek: Uint8Array | undefined): MfaRepository {
  const { db } = ctx;
  const needKek = (): Uint8Array => {
    if (kek === undefined) throw new TypeError("openStore needs a keyEncryptionKey for TOTP secrets");
    return kek;
  };
  const tenantOf = async (c: StoreContext, accountId: string): Promise<string> => {
    const p = await c.db
      .selectFrom("principals")
      .select("tenant_id")
      .where("id", "=", accountId)
      .executeTakeFirst();
    if (p === undefined) throw new AccountNotFoundError("no such account");
    return p.tenant_id;
  };

  return {
    async getTotp(accountId) {
      const r = await db
        .selectFrom("mfa_totp")
        .select(["sealed_secret", "last_used_step", "created_at"])
        .where("principal_id", "=", accountId)
        .executeTakeFirst();
      if (r === undefined) return undefined;
      const secret = Buffer.from(open(r.sealed_secret, needKek(), aad(accountId))).toString("utf8");
      return {
        secret,
        lastUsedStep: r.last_used_step === null ? null : Number(r.last_used_step),
        createdAt: toDate(r.created_at),
      };
    },

    saveTotp(accountId, secret, lastUsedStep, now) {
      const sealed = seal(Buffer.from(secret, "utf8"), needKek(), aad(accountId));
      const at = millis(now);
      return withTransaction(ctx, async (tx) => {
        const tenantId = await tenantOf(tx, accountId);
        await tx.db
          .insertInto("mfa_totp")
          .values({
            principal_id: accountId,
            tenant_id: tenantId,
            sealed_secret: sealed,
            last_used_step: lastUsedStep,
            created_at: at,
            updated_at: at,
          })
          .onConflict((oc) =>
            oc.column("principal_id").doUpdateSet({
              sealed_secret: sealed,
              last_used_step: lastUsedStep,
              created_at: at,
              updated_at: at,
            }),
          )
          .execute();
      });
    },

    async useTotpStep(accountId, step, now) {
      if (!Number.isSafeInteger(step) || step < 0)
        throw new TypeError("a TOTP step is a non-negative integer");
      const r = await db
        .updateTable("mfa_totp")
        .set({ last_used_step: step, updated_at: millis(now) })
        .where("principal_id", "=", accountId)
        .where((eb) => eb.or([eb("last_used_step", "is", null), eb("last_used_step", "<", step)]))
        .executeTakeFirst();
      return changed(r);
    },

    async deleteTotp(accountId) {
      return changed(
        await db.deleteFrom("mfa_totp").where("principal_id", "=", accountId).executeTakeFirst(),
      );
    },

    async listPasskeys(accountId) {
      const rows = await db
        .selectFrom("mfa_passkeys")
        .selectAll()
        .where("principal_id", "=", accountId)
        .orderBy("created_at")
        .orderBy("credential_id")
        .execute();
      return rows.map(toStoredPasskey);
    },

    async findPasskey(credentialId) {
      const r = await db
        .selectFrom("mfa_passkeys")
        .selectAll()
        .where("credential_id", "=", keyText(credentialId))
        .executeTakeFirst();
      return r && toStoredPasskey(r);
    },

    addPasskey(accountId, passkey: Passkey, now) {
      checkCounter(passkey.counter);
      if (typeof passkey.id !== "string" || passkey.id.length === 0)
        throw new TypeError("a passkey needs an id");
      return withTransaction(ctx, async (tx) => {
        const tenantId = await tenantOf(tx, accountId);
        await insertOrConflict(
          tx,
          () =>
            tx.db
              .insertInto("mfa_passkeys")
              .values({
                credential_id: keyText(passkey.id),
                tenant_id: tenantId,
                principal_id: accountId,
                public_key: Buffer.from(passkey.publicKey).toString("base64url"),
                counter: passkey.counter,
                transports: JSON.stringify([...passkey.transports]),
                created_at: millis(now),
                last_used_at: null,
              })
              .execute(),
          () => new PasskeyInUseError("this passkey is already registered"),
        );
      });
    },

    async updatePasskeyCounter(accountId, credentialId, counter, now) {
      checkCounter(counter);
      // Never backwards: of two concurrent assertions the later counter wins.
      const r = await db
        .updateTable("mfa_passkeys")
        .set({ counter, last_used_at: millis(now) })
        .where("principal_id", "=", accountId)
        .where("credential_id", "=", keyText(credentialId))
        .where("counter", "<=", counter)
        .executeTakeFirst();
      return changed(r);
    },

    async deletePasskey(accountId, credentialId) {
      const r = await db
        .deleteFrom("mfa_passkeys")
        .where("principal_id", "=", accountId)
        .where("credential_id", "=", keyText(credentialId))
        .executeTakeFirst();
      return changed(r);
    },
  };
}
