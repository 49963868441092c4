/**
 * The certificate ledger (ca/ `CertificateLedger`) plus listing and revocation for KRLs.
 *
 * Serials are `bigint` columns bound as JS bigints and always read as `cast(serial as text)`:
 * the pg pool refuses int8 values beyond 2^53 and node:sqlite would too, while serials go up to
 * 2^63-1. Keyset pages run on (issued_at, serial), newest first.
 */
import { type Expression, type SqlBool, sql } from "kysely";
import type { IssuedCertificate } from "../../ca/index.ts";
import { InvalidPageError } from "../errors.ts";
import { recordChanges } from "../lib/change-log.ts";
import { insertOrConflict, millis, type StoreContext, toDate, withTransaction } from "../lib/context.ts";
import { checkLimit, decodeCursor, pageOf } from "../lib/paging.ts";
import { CertificateSerialInUseError } from "../sign-in-errors.ts";
import type { CertificateRecord, CertificateRepository } from "../sign-in-types.ts";

const MAX_SERIAL = (1n << 63n) - 1n;

const COLUMNS = [
  "tenant_id",
  "object_id",
  "principal",
  "key_id",
  "key_fingerprint",
  "ca_key_id",
  "valid_after",
  "valid_before",
  "token_id",
  "policies",
  "issued_at",
  "revoked_at",
  "revocation_reason",
] as const;

// Aliased apart from the column: ORDER BY resolves a bare name to an output alias first, and
// ordering by the text form would sort 77 after 1152921504606846979.
const serialText = sql<string>`cast(ssh_certificates.serial as text)`.as("serial_text");
const serialIs = (serial: bigint): Expression<SqlBool> => sql<SqlBool>`ssh_certificates.serial = ${serial}`;

interface Row {
  serial_text: string;
  tenant_id: string;
  object_id: string;
  principal: string;
  key_id: string;
  key_fingerprint: string;
  ca_key_id: string;
  valid_after: number;
  valid_before: number;
  token_id: string;
  policies: string;
  issued_at: number;
  revoked_at: number | null;
  revocation_reason: string | null;
}

function toRecord(r: Row): CertificateRecord {
  return {
    serial: BigInt(r.serial_text),
    tenantId: r.tenant_id,
    objectId: r.object_id,
    principal: r.principal,
    keyId: r.key_id,
    keyFingerprint: r.key_fingerprint,
    caKeyId: r.ca_key_id,
    validAfter: toDate(r.valid_after),
    validBefore: toDate(r.valid_before),
    tokenId: r.token_id,
    policies: JSON.parse(r.policies) as string[],
    issuedAt: toDate(r.issued_at),
    ...(r.revoked_at !== null ? { revokedAt: toDate(r.revoked_at) } : {}),
    ...(r.revocation_reason !== null ? { revocationReason: r.revocation_reason } : {}),
  };
}

function checkSerial(serial: bigint): void {
  if (typeof serial !== "bigint" || serial < 1n || serial > MAX_SERIAL)
    throw new TypeError("a certificate serial must be a bigint in 1..2^63-1");
}

/** Cursor text: `<issued_at ms>:<serial>`. */
function parseCursor(cursor: string | undefined): { at: number; serial: bigint } | undefined {
  const text = decodeCursor(cursor);
  if (text === undefined) return undefined;
  const m = /^(0|[1-9][0-9]{0,15}):([1-9][0-9]{0,18})$/.exec(text);
  if (!m?.[1] || !m[2] || BigInt(m[2]) > MAX_SERIAL) throw new InvalidPageError("invalid page cursor");
  return { at: Number(m[1]), serial: BigInt(m[2]) };
}

/** Rows per INSERT (14 parameters each). */
const ROWS_PER_INSERT = 500;

async function recordRows(ctx: StoreContext, list: readonly IssuedCertificate[]): Promise<void> {
  const rows = list.map((c) => {
    checkSerial(c.serial);
    return {
      serial: c.serial,
      tenant_id: c.tenantId,
      object_id: c.objectId,
      principal: c.principal,
      key_id: c.keyId,
      key_fingerprint: c.keyFingerprint,
      ca_key_id: c.caKeyId,
      valid_after: millis(c.validAfter),
      valid_before: millis(c.validBefore),
      token_id: c.tokenId,
      policies: JSON.stringify([...c.policies]),
      issued_at: millis(c.issuedAt),
      revoked_at: null,
      revocation_reason: null,
    };
  });
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT)
    await insertOrConflict(
      ctx,
      () =>
        ctx.db
          .insertInto("ssh_certificates")
          .values(rows.slice(i, i + ROWS_PER_INSERT))
          .execute(),
      () => new CertificateSerialInUseError("a certificate with this serial is already recorded"),
    );
}

export function sqlCertificateRepository(ctx: StoreContext): CertificateRepository {
  const { db } = ctx;
  const select = () => db.selectFrom("ssh_certificates").select([serialText, ...COLUMNS]);

  return {
    record: (c) => recordRows(ctx, [c]),
    recordMany: (list) => recordRows(ctx, list),

    async get(serial) {
      checkSerial(serial);
      const row = await select().where(serialIs(serial)).executeTakeFirst();
      return row && toRecord(row);
    },

    async list(f, page) {
      const limit = checkLimit(page.limit);
      const after = parseCursor(page.cursor);
      let q = select().where("tenant_id", "=", f.tenantId);
      if (f.objectId !== undefined) q = q.where("object_id", "=", f.objectId);
      if (f.principal !== undefined) q = q.where("principal", "=", f.principal);
      if (f.from !== undefined) q = q.where("issued_at", ">=", millis(f.from));
      if (f.to !== undefined) q = q.where("issued_at", "<", millis(f.to));
      if (f.validAt !== undefined) {
        const t = millis(f.validAt);
        q = q.where("valid_after", "<=", t).where("valid_before", ">", t);
      }
      if (f.revoked !== undefined) q = q.where("revoked_at", f.revoked ? "is not" : "is", null);
      if (after !== undefined) {
        q = q.where(
          sql<SqlBool>`(issued_at < ${after.at} or (issued_at = ${after.at} and ssh_certificates.serial < ${after.serial}))`,
        );
      }
      const rows = await q
        .orderBy("issued_at", "desc")
        .orderBy(sql`ssh_certificates.serial`, "desc")
        .limit(limit + 1)
        .execute();
      return pageOf(rows, limit, (r) => `${r.issued_at}:${r.serial_text}`, toRecord);
    },

    revokeSerial(serial, at, reason) {
      checkSerial(serial);
      return withTransaction(ctx, async (tx) => {
        const r = await tx.db
          .updateTable("ssh_certificates")
          .set({ revoked_at: millis(at), revocation_reason: reason })
          .where(serialIs(serial))
          .where("revoked_at", "is", null)
          .returning("tenant_id")
          .executeTakeFirst();
        if (r === undefined) return false;
        await recordChanges(tx, r.tenant_id, [{ kind: "revocation.added", serial: serial.toString() }]);
        return true;
      });
    },

    revokeKeyId(tenantId, keyId, at, reason) {
      return withTransaction(ctx, async (tx) => {
        const r = await tx.db
          .insertInto("ssh_revoked_key_ids")
          .values({ key_id: keyId, tenant_id: tenantId, revoked_at: millis(at), reason })
          .onConflict((oc) => oc.column("key_id").doNothing())
          .executeTakeFirst();
        if ((r.numInsertedOrUpdatedRows ?? 0n) === 0n) return false;
        await recordChanges(tx, tenantId, [{ kind: "revocation.added", keyId }]);
        return true;
      });
    },

    async revocations(now, caKeyId) {
      // An expired certificate needs no KRL entry: sshd refuses it anyway.
      let q = db
        .selectFrom("ssh_certificates")
        .select(serialText)
        .where("revoked_at", "is not", null)
        .where("valid_before", ">", millis(now));
      if (caKeyId !== undefined) q = q.where("ca_key_id", "=", caKeyId);
      const serials = (await q.orderBy(sql`ssh_certificates.serial`).execute()).map((r) =>
        BigInt(r.serial_text),
      );
      const rows = await db.selectFrom("ssh_revoked_key_ids").select("key_id").execute();
      // Sorted here: PostgreSQL's collation may order text differently from SQLite's bytes.
      const keyIds = rows.map((r) => r.key_id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return { serials, keyIds };
    },
  };
}
