/**
 * The issuance use case: the server, never the request, decides what a certificate says
 * (PRODUCT.md §4). Order: check the key → constrain (principal, key id, serial, validity,
 * extensions) → sign → check the signed certificate against the constraints → record it.
 */
import { randomBytes } from "node:crypto";
import { validateLinuxName } from "../directory/index.ts";
import {
  type Certificate,
  fingerprintSha256,
  formatCertificate,
  type PublicKey,
  type Signer,
  signCertificate,
} from "../ssh/index.ts";
import { CaSubjectRejectedError } from "./errors.ts";
import { checkUserKey, type ReservedKeys } from "./user-key-policy.ts";

export const DEFAULT_LIFETIME_SECONDS = 3600;
/** Backdating absorbs clock skew between this server and hosts (sshd allows none). */
export const BACKDATE_SECONDS = 120;
export const PERMITTED_EXTENSIONS = [
  "permit-pty",
  "permit-port-forwarding",
  "permit-agent-forwarding",
  "permit-X11-forwarding",
  "permit-user-rc",
] as const;
export type PermittedExtension = (typeof PERMITTED_EXTENSIONS)[number];

export interface CertificateSubject {
  readonly kind: "user" | "servicePrincipal" | "managedIdentity";
  readonly tenantId: string;
  readonly objectId: string;
  readonly linuxName: string;
  readonly enabled: boolean;
}

export interface IssueRequest {
  readonly subject: CertificateSubject;
  /** A key whose possession was proven (see verifyKeyProof). */
  readonly publicKey: PublicKey;
  /** The access token's id, so a certificate can be traced to a sign-in. */
  readonly tokenId: string;
  /** Conditional access sign-in frequency, which caps the lifetime. */
  readonly lifetimeCapSeconds?: number;
  /** Extensions policy grants beyond permit-pty. */
  readonly extensions?: readonly PermittedExtension[];
  readonly policiesApplied?: readonly string[];
}

export interface IssuedCertificate {
  readonly serial: bigint;
  readonly tenantId: string;
  readonly objectId: string;
  readonly principal: string;
  readonly keyId: string;
  readonly keyFingerprint: string;
  readonly caKeyId: string;
  readonly validAfter: Date;
  readonly validBefore: Date;
  readonly tokenId: string;
  readonly policies: readonly string[];
  readonly issuedAt: Date;
}

/** Where issued certificates are recorded, so they can be listed and revoked into a KRL. */
export interface CertificateLedger {
  /** Must fail (with any error) when the serial is already recorded. */
  record(issued: IssuedCertificate): Promise<void>;
}

export interface IssuerDeps {
  readonly signer: Signer;
  readonly caKeyId: string;
  readonly ledger: CertificateLedger;
  readonly reservedKeys: ReservedKeys;
  readonly now: () => Date;
  readonly defaultLifetimeSeconds?: number;
}

/** A random non-zero 63-bit serial: unique across replicas without coordination, never 0 (KRLs cannot revoke 0). */
function newSerial(): bigint {
  for (;;) {
    const serial = randomBytes(8).readBigUInt64BE() & 0x7fff_ffff_ffff_ffffn;
    if (serial !== 0n) return serial;
  }
}

/** `<objectId>@<tenantId>`: immutable ids only, so a KRL `id:` entry revokes every certificate of a principal. */
export function keyIdFor(subject: Pick<CertificateSubject, "objectId" | "tenantId">): string {
  return `${subject.objectId}@${subject.tenantId}`;
}

export async function issueUserCertificate(
  deps: IssuerDeps,
  req: IssueRequest,
): Promise<{ certificate: Certificate; text: string; issued: IssuedCertificate }> {
  const { subject } = req;
  if (!subject.enabled) throw new CaSubjectRejectedError("the principal is disabled");
  validateLinuxName(subject.linuxName);
  checkUserKey(req.publicKey, deps.reservedKeys);
  const now = deps.now();
  const nowSeconds = BigInt(Math.floor(now.getTime() / 1000));
  const lifetime = Math.min(
    deps.defaultLifetimeSeconds ?? DEFAULT_LIFETIME_SECONDS,
    req.lifetimeCapSeconds ?? Infinity,
  );
  if (!(lifetime >= 60))
    throw new CaSubjectRejectedError("the allowed certificate lifetime is under one minute");
  const extensions: Record<string, string> = { "permit-pty": "" };
  for (const name of req.extensions ?? []) {
    if (!(PERMITTED_EXTENSIONS as readonly string[]).includes(name))
      throw new TypeError(`unknown extension ${name}`);
    extensions[name] = "";
  }
  const constraints = {
    kind: "user" as const,
    key: req.publicKey,
    serial: newSerial(),
    keyId: keyIdFor(subject),
    principals: [subject.linuxName],
    validAfter: nowSeconds - BigInt(BACKDATE_SECONDS),
    validBefore: nowSeconds + BigInt(Math.floor(lifetime)),
    criticalOptions: {},
    extensions,
  };
  const certificate = signCertificate(constraints, deps.signer);
  assertMatches(certificate, constraints, lifetime);
  const issued: IssuedCertificate = {
    serial: certificate.serial,
    tenantId: subject.tenantId,
    objectId: subject.objectId,
    principal: subject.linuxName,
    keyId: certificate.keyId,
    keyFingerprint: fingerprintSha256(req.publicKey.blob),
    caKeyId: deps.caKeyId,
    validAfter: new Date(Number(certificate.validAfter) * 1000),
    validBefore: new Date(Number(certificate.validBefore) * 1000),
    tokenId: req.tokenId,
    policies: [...(req.policiesApplied ?? [])],
    issuedAt: now,
  };
  await deps.ledger.record(issued);
  return { certificate, text: formatCertificate(certificate, certificate.keyId), issued };
}

/** The validators run again on what was signed: one principal, a user certificate, the bounds asked for. */
function assertMatches(
  cert: Certificate,
  c: { principals: string[]; validAfter: bigint; validBefore: bigint; key: PublicKey },
  lifetime: number,
): void {
  const ok =
    cert.kind === "user" &&
    cert.principals.length === 1 &&
    cert.principals[0] === c.principals[0] &&
    cert.validAfter === c.validAfter &&
    cert.validBefore === c.validBefore &&
    cert.validBefore - cert.validAfter <= BigInt(Math.floor(lifetime) + BACKDATE_SECONDS) &&
    Object.keys(cert.criticalOptions).length === 0 &&
    Buffer.compare(cert.key.blob, c.key.blob) === 0;
  if (!ok) throw new Error("signed certificate does not match its constraints");
}
