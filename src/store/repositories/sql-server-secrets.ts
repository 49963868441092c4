/**
 * Installation-wide secrets every replica must share (migration 0100), sealed with the
 * key-encryption key like CA and token-signing keys; the additional data names the secret, so a
 * sealed value copied onto another row does not open. The first writer wins: `createIfAbsent`
 * inserts or does nothing, and every replica then reads the one value that was stored.
 */
import { open, seal } from "../../shared/seal.ts";
import type { StoreContext } from "../lib/context.ts";
import type { ServerSecretRepository } from "../sign-in-types.ts";

const aad = (name: string) => `hostpass server secret ${name}`;

export function sqlServerSecrets(ctx: StoreContext, kek: Uint8Array | undefined): ServerSecretRepository {
  const needKek = () => {
    if (kek === undefined) throw new TypeError("openStore needs a keyEncryptionKey for server secrets");
    return kek;
  };
  return {
    async get(name) {
      const row = await ctx.db
        .selectFrom("server_secrets")
        .select("sealed")
        .where("name", "=", name)
        .executeTakeFirst();
      return row === undefined
        ? undefined
        : Buffer.from(open(row.sealed, needKek(), aad(name))).toString("utf8");
    },
    async createIfAbsent(name, value, nowMs) {
      const sealed = seal(Buffer.from(value, "utf8"), needKek(), aad(name));
      await ctx.db
        .insertInto("server_secrets")
        .values({ name, sealed, created_at: nowMs })
        .onConflict((oc) => oc.column("name").doNothing())
        .execute();
    },
  };
}
