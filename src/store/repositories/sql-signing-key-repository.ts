/**
 * Token-signing keys (auth's `KeyStore`), private JWKs sealed with the key-encryption key. The
 * additional data names the kid, so a sealed key copied onto another row does not open. At most
 * one key is `active`: a partial unique index enforces it across replicas.
 */
import type { SigningKeyStatus } from "../../auth/index.ts";
import { open, seal } from "../../shared/seal.ts";
import { classifyDbError } from "../dialect-profile.ts";
import { changed, type StoreContext, withTransaction } from "../lib/context.ts";
import { KeyStateConflictError } from "../sign-in-errors.ts";
import type { SigningKeyRepository } from "../sign-in-types.ts";

const STATUSES: readonly string[] = ["next", "active", "retiring"];
const aad = (kid: string) => `hostpass-signing-key:${kid}`;

function checkStatus(status: string): asserts status is SigningKeyStatus {
  if (!STATUSES.includes(status)) throw new TypeError(`unknown signing key status ${status}`);
}

/** `kek` is required to read or write keys; without it every call fails (a wiring mistake). */
export function sqlSigningKeyRepository(
  ctx: StoreContext,
  kek: Uint8Array | undefined,
  clock: () => number = Date.now,
): SigningKeyRepository {
  const { db } = ctx;
  const needKek = (): Uint8Array => {
    if (kek === undefined) throw new TypeError("openStore needs a keyEncryptionKey for signing keys");
    return kek;
  };
  const activeConflict = (error: unknown): never => {
    if (classifyDbError(ctx.profile, error) === "unique")
      throw new KeyStateConflictError("another signing key is active or the kid exists", { cause: error });
    throw error;
  };

  return {
    async listSigningKeys() {
      const key = needKek();
      const rows = await db
        .selectFrom("signing_keys")
        .select(["kid", "status", "sealed_jwk"])
        .orderBy("created_at")
        .orderBy("kid")
        .execute();
      return rows.map((r) => ({
        status: r.status as SigningKeyStatus,
        privateJwk: Object.freeze(
          JSON.parse(Buffer.from(open(r.sealed_jwk, key, aad(r.kid))).toString("utf8")) as Record<
            string,
            string
          >,
        ),
      }));
    },

    async addSigningKey(privateJwk, status) {
      checkStatus(status);
      const kid = privateJwk.kid;
      if (typeof kid !== "string" || kid.length === 0) throw new TypeError("a signing key needs a kid");
      if (typeof privateJwk.d !== "string") throw new TypeError("a signing key must be a private JWK");
      const sealed = seal(Buffer.from(JSON.stringify(privateJwk)), needKek(), aad(kid));
      const now = clock();
      await db
        .insertInto("signing_keys")
        .values({ kid, status, sealed_jwk: sealed, created_at: now, updated_at: now })
        .execute()
        .catch(activeConflict);
    },

    async setSigningKeyStatus(kid, status) {
      checkStatus(status);
      const r = await db
        .updateTable("signing_keys")
        .set({ status, updated_at: clock() })
        .where("kid", "=", kid)
        .executeTakeFirst()
        .catch(activeConflict);
      return changed(r);
    },

    activateSigningKey(kid) {
      return withTransaction(ctx, async (tx) => {
        const now = clock();
        const target = await tx.db
          .selectFrom("signing_keys")
          .select("status")
          .where("kid", "=", kid)
          .executeTakeFirst();
        if (target === undefined) return false;
        if (target.status === "active") return true;
        // The old key first, so the one-active index holds after each statement.
        await tx.db
          .updateTable("signing_keys")
          .set({ status: "retiring", updated_at: now })
          .where("status", "=", "active")
          .execute();
        await tx.db
          .updateTable("signing_keys")
          .set({ status: "active", updated_at: now })
          .where("kid", "=", kid)
          .execute()
          .catch(activeConflict);
        return true;
      });
    },

    async removeSigningKey(kid) {
      return changed(await db.deleteFrom("signing_keys").where("kid", "=", kid).executeTakeFirst());
    },
  };
}
