/** The host channel's rows (migration 0011): join codes and agent credentials. */
import type { AgentCredential, AgentRepository, JoinCodeRecord } from "../../directory/index.ts";
import { changed, millis, type StoreContext, toDate } from "../lib/context.ts";
import type { AgentCredentialsTable, JoinCodesTable } from "../schema.ts";

function toJoinCode(r: JoinCodesTable): JoinCodeRecord {
  return {
    codeHash: r.code_hash,
    tenantId: r.tenant_id,
    machineKey: r.machine_key,
    machineId: r.machine_id,
    expiresAt: toDate(r.expires_at),
    createdAt: toDate(r.created_at),
    ...(r.used_at !== null ? { usedAt: toDate(r.used_at) } : {}),
  };
}

function toCredential(r: AgentCredentialsTable): AgentCredential {
  return {
    clientId: r.client_id,
    tenantId: r.tenant_id,
    machineKey: r.machine_key,
    machineId: r.machine_id,
    identityId: r.identity_id,
    publicKeyJwk: JSON.parse(r.public_key_jwk) as Record<string, string>,
    thumbprint: r.thumbprint,
    hostKeys: JSON.parse(r.host_keys) as string[],
    createdAt: toDate(r.created_at),
  };
}

export function sqlAgentRepository(ctx: StoreContext): AgentRepository {
  const { db } = ctx;
  const credentialWhere = async (column: "client_id" | "machine_key", value: string) => {
    const row = await db
      .selectFrom("agent_credentials")
      .selectAll()
      .where(column, "=", value)
      .executeTakeFirst();
    return row && toCredential(row);
  };
  return {
    async insertJoinCode(r) {
      await db
        .insertInto("join_codes")
        .values({
          code_hash: r.codeHash,
          tenant_id: r.tenantId,
          machine_key: r.machineKey,
          machine_id: r.machineId,
          expires_at: millis(r.expiresAt),
          created_at: millis(r.createdAt),
          used_at: null,
        })
        .execute();
    },

    async findJoinCode(codeHash) {
      const row = await db
        .selectFrom("join_codes")
        .selectAll()
        .where("code_hash", "=", codeHash)
        .executeTakeFirst();
      return row && toJoinCode(row);
    },

    async consumeJoinCode(codeHash, now) {
      // One statement: of two joins racing with the same code, exactly one updates the row.
      const taken = await db
        .updateTable("join_codes")
        .set({ used_at: millis(now) })
        .where("code_hash", "=", codeHash)
        .where("used_at", "is", null)
        .where("expires_at", ">", millis(now))
        .returningAll()
        .executeTakeFirst();
      if (taken !== undefined) {
        const { usedAt: _used, ...before } = toJoinCode(taken);
        return { record: before, consumed: true };
      }
      const row = await db
        .selectFrom("join_codes")
        .selectAll()
        .where("code_hash", "=", codeHash)
        .executeTakeFirst();
      return row === undefined ? undefined : { record: toJoinCode(row), consumed: false };
    },

    async putCredential(c) {
      await db.deleteFrom("agent_credentials").where("machine_key", "=", c.machineKey).execute();
      await db
        .insertInto("agent_credentials")
        .values({
          client_id: c.clientId,
          tenant_id: c.tenantId,
          machine_key: c.machineKey,
          machine_id: c.machineId,
          identity_id: c.identityId,
          public_key_jwk: JSON.stringify(c.publicKeyJwk),
          thumbprint: c.thumbprint,
          host_keys: JSON.stringify(c.hostKeys),
          created_at: millis(c.createdAt),
        })
        .execute();
    },

    findCredential: (clientId) => credentialWhere("client_id", clientId),
    findCredentialOfMachine: (machineKey) => credentialWhere("machine_key", machineKey),

    async deleteCredentialOfMachine(machineKey) {
      const r = await db
        .deleteFrom("agent_credentials")
        .where("machine_key", "=", machineKey)
        .executeTakeFirst();
      return changed(r);
    },
  };
}
