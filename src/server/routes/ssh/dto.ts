/** What the `/ssh` administration routes answer: CA keys (never a private part) and ledger entries. */
import { Type } from "@fastify/type-provider-typebox";
import { type CaKeyRecord, describeCaKey } from "../../../ca/index.ts";
import type { LedgerEntry, RouteDeps } from "../../deps.ts";
import { ValidationError } from "../../errors.ts";

/** The scope every `/ssh` administration action is checked at: the tenant root (decisions.md). */
export const SSH_ADMIN_SCOPE = () => "/";

export const Purpose = Type.Union([Type.Literal("user"), Type.Literal("host")], {
  description: "user: signs users' certificates; host: signs hosts' certificates",
});

export const CaKeyDto = Type.Object(
  {
    id: Type.String(),
    purpose: Purpose,
    state: Type.Union(
      [Type.Literal("next"), Type.Literal("active"), Type.Literal("previous"), Type.Literal("retired")],
      { description: "next: announced, trusted, not signing; active: signs; previous: trusted; retired" },
    ),
    keyType: Type.String(),
    bits: Type.Integer(),
    fingerprint: Type.String({ description: "SHA256:… as ssh-keygen -l prints it" }),
    publicKey: Type.String(),
    createdDateTime: Type.String({ format: "date-time" }),
    stateChangedDateTime: Type.String({ format: "date-time" }),
  },
  { additionalProperties: false },
);

export function toCaKeyDto(record: CaKeyRecord) {
  const d = describeCaKey(record);
  return {
    id: d.id,
    purpose: d.purpose,
    state: d.state,
    keyType: d.keyType,
    bits: d.bits,
    fingerprint: d.fingerprint,
    publicKey: d.publicKey,
    createdDateTime: d.createdAt.toISOString(),
    stateChangedDateTime: d.stateChangedAt.toISOString(),
  };
}

export const CertificateDto = Type.Object(
  {
    serial: Type.String({ description: "decimal, 1..2^63-1" }),
    principal: Type.String({ description: "the Linux name in the certificate" }),
    objectId: Type.String(),
    keyId: Type.String(),
    keyFingerprint: Type.String(),
    caKeyId: Type.String(),
    status: Type.Union([Type.Literal("active"), Type.Literal("expired"), Type.Literal("revoked")]),
    issuedDateTime: Type.String({ format: "date-time" }),
    validAfter: Type.String({ format: "date-time" }),
    validBefore: Type.String({ format: "date-time" }),
    revokedDateTime: Type.Optional(Type.String({ format: "date-time" })),
    revocationReason: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export function toCertificateDto(c: LedgerEntry, now: Date) {
  const status: "active" | "expired" | "revoked" = c.revokedAt
    ? "revoked"
    : c.validBefore <= now
      ? "expired"
      : "active";
  return {
    serial: c.serial.toString(),
    principal: c.principal,
    objectId: c.objectId,
    keyId: c.keyId,
    keyFingerprint: c.keyFingerprint,
    caKeyId: c.caKeyId,
    status,
    issuedDateTime: c.issuedAt.toISOString(),
    validAfter: c.validAfter.toISOString(),
    validBefore: c.validBefore.toISOString(),
    ...(c.revokedAt ? { revokedDateTime: c.revokedAt.toISOString() } : {}),
    ...(c.revocationReason !== undefined ? { revocationReason: c.revocationReason } : {}),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `--principal` as the certificate commands take it: a UPN, an object id or a service principal's
 * app id (as role assignments name principals). An object id the directory no longer knows is
 * taken as given: a deleted principal's certificates stay in the ledger.
 */
export async function certificateHolder(
  deps: Pick<RouteDeps, "resolveAssignee">,
  tenantId: string,
  principal: string,
): Promise<string> {
  try {
    const found = await deps.resolveAssignee(tenantId, principal);
    if (found.type === "Group")
      throw new ValidationError("a group holds no certificates: name a user or service principal");
    return found.id;
  } catch (error) {
    if (UUID.test(principal) && (error as { code?: string }).code === "ERR_DIRECTORY_PRINCIPAL_NOT_FOUND")
      return principal.toLowerCase();
    throw error;
  }
}
