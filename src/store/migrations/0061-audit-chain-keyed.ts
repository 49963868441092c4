/**
 * The activity log's chain keyed (issue 11 item 2): every hash becomes an HMAC under the chain
 * key (audit/chain-key.ts), and the head carries a seal. A log written before (plain SHA-256) is
 * first checked as it is, then re-hashed under the key, in this migration's transaction: keyed only
 * if intact, never half-keyed. A log that does not verify stops the upgrade (ERR_STORE_MIGRATION):
 * run `hostpass audit verify` with the previous version. An empty log needs no key; a non-empty
 * one must be opened with the key-encryption key (as `hostpass server` does). Forward-only.
 */
import type { Kysely } from "kysely";
import {
  type AuditChainKey,
  chainHash,
  GENESIS_HASH,
  type HashedFields,
  headSeal,
  unkeyedChainHash,
} from "../../audit/index.ts";
import { migrationContext } from "./context.ts";

const CHAIN = "activity";
const PAGE = 500;

interface Row {
  seq: number | string;
  id: string;
  time: number | string;
  tenant_id: string;
  actor: string;
  action: string;
  target: string;
  result: string;
  correlation_id: string;
  details: string;
  prev_hash: string;
  hash: string;
}

function fieldsOf(r: Row): HashedFields {
  return {
    id: r.id,
    time: new Date(Number(r.time)),
    tenantId: r.tenant_id,
    actor: r.actor,
    action: r.action,
    target: r.target,
    result: r.result as HashedFields["result"],
    correlationId: r.correlation_id,
    details: JSON.parse(r.details) as Record<string, unknown>,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("audit_head").addColumn("seal", "text").execute();
  const head = await db
    .selectFrom("audit_head")
    .select(["seq", "hash"])
    .where("chain", "=", CHAIN)
    .executeTakeFirstOrThrow();
  if (Number(head.seq) === 0) return;
  const key = migrationContext.getStore()?.auditChainKey;
  if (key === undefined) {
    throw new Error(
      "the activity log holds events written before it was keyed: open the store with the key-encryption key to key them",
    );
  }
  const last = await rekey(db, key);
  if (last.seq !== Number(head.seq) || last.oldHash !== head.hash) {
    throw new Error(`the activity log does not end at its head (event ${head.seq}): not keyed`);
  }
  await db
    .updateTable("audit_head")
    .set({ hash: last.hash, seal: headSeal(key, { seq: last.seq, hash: last.hash }) })
    .where("chain", "=", CHAIN)
    .execute();
}

/** Checks each row against the unkeyed chain, then rewrites its links with keyed hashes. */
// biome-ignore lint/suspicious/noExplicitAny: see above.
async function rekey(db: Kysely<any>, key: AuditChainKey) {
  let oldHash = GENESIS_HASH;
  let hash = GENESIS_HASH;
  let seq = 0;
  for (;;) {
    const rows = (await db
      .selectFrom("audit_events")
      .selectAll()
      .where("seq", ">", seq)
      .orderBy("seq")
      .limit(PAGE)
      .execute()) as Row[];
    if (rows.length === 0) return { seq, oldHash, hash };
    for (const row of rows) {
      const fields = fieldsOf(row);
      const intact =
        Number(row.seq) === seq + 1 &&
        row.prev_hash === oldHash &&
        unkeyedChainHash(oldHash, fields) === row.hash;
      if (!intact) {
        throw new Error(
          `the activity log does not verify at event ${row.seq}: not keyed (run hostpass audit verify)`,
        );
      }
      const keyed = chainHash(key, hash, fields);
      await db
        .updateTable("audit_events")
        .set({ prev_hash: hash, hash: keyed })
        .where("seq", "=", row.seq)
        .execute();
      seq = Number(row.seq);
      oldHash = row.hash;
      hash = keyed;
    }
  }
}
