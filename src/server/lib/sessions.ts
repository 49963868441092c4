/**
 * Ending a principal's sign-in sessions, as the API does it, inside the change's transaction
 * (`inChange`): the directory voids its tokens (directory/sessions.ts) and the CA revokes the
 * certificates it still holds (ca/revoke-certificates-of.ts), so neither happens without the
 * other, nor without its activity-log event.
 */
import { type CertificateRevocationStore, revokeCertificatesOf } from "../../ca/index.ts";
import {
  type DirectoryRepository,
  type Principal,
  type RevokeSessionsInput,
  revokeSignInSessions,
  type SetEnabledInput,
  setPrincipalEnabled,
} from "../../directory/index.ts";

/** The repositories of the change's transaction this needs. */
export interface SessionRepositories {
  readonly directory: DirectoryRepository;
  readonly certificates: CertificateRevocationStore;
}

export interface SessionsEnded {
  readonly principal: Principal;
  /** Serials of the certificates revoked by this change (none when enabling). */
  readonly certificatesRevoked: readonly bigint[];
}

const REASON = "sign-in sessions revoked";

/** Disabling voids the principal's tokens and revokes its certificates; enabling revives neither. */
export async function setEnabledEndingSessions(
  tx: SessionRepositories,
  input: Omit<SetEnabledInput, "now">,
  now: Date = new Date(),
): Promise<SessionsEnded> {
  const principal = await setPrincipalEnabled(tx.directory, { ...input, now: () => now });
  const certificatesRevoked = input.enabled ? [] : await endCertificates(tx, principal, now);
  return { principal, certificatesRevoked };
}

/** `revokeSignInSessions`: the principal stays enabled and signs in afresh. */
export async function endSignInSessions(
  tx: SessionRepositories,
  input: Omit<RevokeSessionsInput, "now">,
  now: Date = new Date(),
): Promise<SessionsEnded> {
  const principal = await revokeSignInSessions(tx.directory, { ...input, now: () => now });
  return { principal, certificatesRevoked: await endCertificates(tx, principal, now) };
}

/** What the activity-log event says about it: the count, and the first serials (details stay small). */
export function revokedForAudit(serials: readonly bigint[]): Record<string, unknown> {
  if (serials.length === 0) return {};
  return { certificatesRevoked: serials.length, revokedSerials: serials.slice(0, 100).map(String) };
}

function endCertificates(tx: SessionRepositories, principal: Principal, at: Date) {
  return revokeCertificatesOf(tx.certificates, {
    tenantId: principal.tenantId,
    objectId: principal.id,
    at,
    reason: REASON,
  });
}
