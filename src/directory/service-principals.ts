/**
 * Service principals: automation identities with an app id, client secrets (stored hashed,
 * with expiry) and certificate credentials (public keys). Their Linux name comes from the app id.
 */
import { randomUUID } from "node:crypto";
import { checkPublicJwk, generateClientSecret, hashClientSecret } from "./credentials.ts";
import {
  DirectoryConflictError,
  InvalidCredentialsError,
  InvalidDirectoryInputError,
  PrincipalNotFoundError,
  TenantNotFoundError,
} from "./errors.ts";
import { checkDisplayName, checkUuid, timeOf } from "./lib/checks.ts";
import { linuxNameForAppId } from "./linux-name.ts";
import type { DirectoryRepository } from "./repository.ts";
import type { CertificateCredential, ClientSecret, ServicePrincipal } from "./types.ts";

/** Longest lifetime of a client secret (Entra ID's portal offers up to 24 months). */
export const MAX_SECRET_LIFETIME_MS = 2 * 366 * 24 * 3600 * 1000;

export async function createServicePrincipal(
  repo: DirectoryRepository,
  input: { tenantId: string; displayName: string; appId?: string; now?: () => Date },
): Promise<ServicePrincipal> {
  const appId = input.appId === undefined ? randomUUID() : checkUuid(input.appId, "app id");
  const displayName = checkDisplayName(input.displayName);
  return repo.transaction(async (tx) => {
    if (!(await tx.getTenant(input.tenantId))) throw new TenantNotFoundError("tenant not found");
    await tx.lockTenant(input.tenantId);
    if (await tx.findServicePrincipalByAppId(appId))
      throw new DirectoryConflictError("app id already in use");
    const sp: ServicePrincipal = {
      kind: "servicePrincipal",
      id: randomUUID(),
      tenantId: input.tenantId,
      appId,
      displayName,
      enabled: true,
      linuxName: linuxNameForAppId(appId),
      uid: await tx.allocateUid(input.tenantId),
      createdAt: timeOf(input.now),
    };
    await tx.insertServicePrincipal(sp);
    return sp;
  });
}

async function requireSp(repo: DirectoryRepository, tenantId: string, id: string): Promise<ServicePrincipal> {
  const p = await repo.getPrincipal(tenantId, id);
  if (p?.kind !== "servicePrincipal") throw new PrincipalNotFoundError("service principal not found");
  return p;
}

/** Creates a client secret. The returned `secret` is shown once; only its hash is kept. */
export async function addClientSecret(
  repo: DirectoryRepository,
  input: { tenantId: string; principalId: string; expiresAt: Date; now?: () => Date },
): Promise<{ credential: ClientSecret; secret: string }> {
  const now = timeOf(input.now);
  const expires = input.expiresAt instanceof Date ? input.expiresAt.getTime() : Number.NaN;
  if (!(expires > now.getTime() && expires <= now.getTime() + MAX_SECRET_LIFETIME_MS)) {
    throw new InvalidDirectoryInputError("secret expiry must be in the future and at most two years away");
  }
  await requireSp(repo, input.tenantId, input.principalId);
  const { secret, hash, hint } = generateClientSecret();
  const credential: ClientSecret = {
    id: randomUUID(),
    principalId: input.principalId,
    tenantId: input.tenantId,
    hint,
    expiresAt: new Date(expires),
    createdAt: now,
  };
  await repo.insertClientSecret(credential, hash);
  return { credential, secret };
}

/**
 * Checks `secret` for the app. Unknown app, wrong or expired secret and disabled principal all
 * fail with the same InvalidCredentialsError.
 */
export async function verifyClientSecret(
  repo: DirectoryRepository,
  input: { appId: string; secret: string; now?: () => Date },
): Promise<ServicePrincipal> {
  if (typeof input.secret !== "string" || input.secret.length > 512) throw new InvalidCredentialsError();
  // The lookup is by hash of a 256-bit secret: timing reveals nothing an attacker can use.
  const stored = await repo.findClientSecretByHash(hashClientSecret(input.secret));
  const sp =
    typeof input.appId === "string"
      ? await repo.findServicePrincipalByAppId(input.appId.toLowerCase())
      : undefined;
  if (!stored || !sp || stored.principalId !== sp.id || !sp.enabled) throw new InvalidCredentialsError();
  if (stored.expiresAt.getTime() <= timeOf(input.now).getTime()) throw new InvalidCredentialsError();
  return sp;
}

/** Registers a public key (JWK) the app signs `private_key_jwt` assertions with. */
export async function addCertificateCredential(
  repo: DirectoryRepository,
  input: { tenantId: string; principalId: string; publicKeyJwk: unknown; expiresAt?: Date; now?: () => Date },
): Promise<CertificateCredential> {
  const { jwk, thumbprint } = checkPublicJwk(input.publicKeyJwk);
  await requireSp(repo, input.tenantId, input.principalId);
  const credential: CertificateCredential = {
    id: randomUUID(),
    principalId: input.principalId,
    tenantId: input.tenantId,
    thumbprint,
    publicKeyJwk: jwk,
    expiresAt: input.expiresAt,
    createdAt: timeOf(input.now),
  };
  await repo.insertCertificateCredential(credential);
  return credential;
}

export async function removeCredential(
  repo: DirectoryRepository,
  input: { tenantId: string; principalId: string; credentialId: string },
): Promise<void> {
  if (!(await repo.deleteCredential(input.tenantId, input.principalId, input.credentialId))) {
    throw new PrincipalNotFoundError("credential not found");
  }
}
