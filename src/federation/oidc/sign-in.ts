/**
 * What a verified upstream sign-in becomes in hostpass (the protocol checks — discovery issuer,
 * state, PKCE, RFC 9207 `iss`, ID token signature, issuer, audience, nonce, expiry — happen before,
 * in the server's relying party on `openid-client`). The rules:
 *
 * - The user is found by (issuer, subject) only; never by email, UPN or display name.
 * - Unbound, and the provider names an `externalId` claim (the tenant's one SCIM binder): when the
 *   claim's value is exactly (case-exact) the SCIM externalId of one user that has no binding yet,
 *   that user is bound to (issuer, subject) now, once; its UPN domain must be allowed. A user
 *   bound already (to this provider's other subject or to another provider), two users with that
 *   externalId, or a user the SCIM client never gave it: refused or not found — never guessed.
 * - Unbound otherwise: created just in time when the provider allows it, with the UPN from the mapped claim
 *   (an `email` claim counts only with `email_verified: true`), its domain allowed, and the Linux
 *   name from the mapped claim or the UPN under the local rule. A local user that already has the
 *   UPN or Linux name is never taken over or merged: the sign-in is refused.
 * - A disabled user is refused.
 * - Groups: the claim's values are hostpass groups linked to this provider (created on first
 *   sight); the user's membership in this provider's groups is set to exactly the claim's values
 *   at every sign-in. Memberships in other groups are left alone.
 * - MFA: `amr` containing `mfa`, or an `acr` in the provider's list, counts only when the tenant
 *   trusts the provider for MFA (then `amr` is `fed`+`mfa`; otherwise `fed` alone, and hostpass
 *   asks for its own second factor when policy needs one).
 */
import {
  addGroupMember,
  createGroup,
  createUser,
  type DirectoryRepository,
  findUserByUpn,
  InvalidUpnError,
  normalizeUpn,
  removeGroupMember,
  type User,
} from "../../directory/index.ts";
import { FederatedAccountRefusedError, FederatedClaimInvalidError } from "../errors.ts";
import type { FederationRepository } from "../repository.ts";
import type { IdentityProviderRepository } from "./repository.ts";
import type { IdentityProvider } from "./types.ts";

/** The repositories of one transaction. */
export interface FederatedSignInRepositories {
  readonly directory: DirectoryRepository;
  readonly providers: IdentityProviderRepository;
  /** SCIM's externalIds (to bind a SCIM-provisioned user; see the rules above). */
  readonly federation: Pick<FederationRepository, "findByExternalId">;
}

export interface FederatedSignIn {
  readonly user: User;
  /** RFC 8176 values for hostpass's session: `fed`, plus `mfa` when trusted upstream MFA happened. */
  readonly amr: readonly string[];
  readonly created: boolean;
  /** An existing (SCIM-provisioned) user was bound to this identity now, by externalId. */
  readonly boundByExternalId: boolean;
  /** The provider's group values the user is now in. */
  readonly groups: readonly string[];
}

const MAX_GROUPS = 200;

function claimText(claims: Readonly<Record<string, unknown>>, name: string, what: string): string {
  const value = claims[name];
  if (typeof value !== "string" || value.length === 0 || value.length > 256)
    throw new FederatedClaimInvalidError(`the provider sent no usable '${name}' claim for the ${what}`);
  return value;
}

function groupValues(claims: Readonly<Record<string, unknown>>, name: string): string[] {
  const value = claims[name];
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  if (list.length > MAX_GROUPS)
    throw new FederatedClaimInvalidError(`the '${name}' claim has more than ${MAX_GROUPS} groups`);
  const out = new Set<string>();
  for (const v of list) {
    if (typeof v !== "string" || v.length === 0 || v.length > 256 || /[\p{Cc}\p{Cf}]/u.test(v))
      throw new FederatedClaimInvalidError(`the '${name}' claim holds a value that is not a group name`);
    out.add(v.normalize("NFC"));
  }
  return [...out];
}

/** True when the provider is trusted for MFA and says it did MFA. */
export function upstreamMfa(provider: IdentityProvider, claims: Readonly<Record<string, unknown>>): boolean {
  if (!provider.trustMfa) return false;
  const amr = Array.isArray(claims.amr) ? claims.amr : [];
  if (amr.includes("mfa")) return true;
  return typeof claims.acr === "string" && provider.mfaAcrValues.includes(claims.acr);
}

export async function signInFederated(
  repos: FederatedSignInRepositories,
  provider: IdentityProvider,
  claims: Readonly<Record<string, unknown>>,
  now: Date,
): Promise<FederatedSignIn> {
  const { tenantId } = provider;
  const subject = claimText(claims, "sub", "subject");
  // The ID token's issuer was checked against the provider's; bindings use the configured one.
  const bound = await repos.providers.findFederatedIdentity(tenantId, provider.issuer, subject);
  let user: User | undefined;
  let created = false;
  const scimUser = bound ? undefined : await bindScimUser(repos, provider, claims, subject, now);
  const boundByExternalId = scimUser !== undefined;
  if (bound) {
    const principal = await repos.directory.getPrincipal(tenantId, bound.principalId);
    if (principal?.kind !== "user")
      throw new FederatedAccountRefusedError("the hostpass account of this identity is gone");
    user = principal;
  } else if (scimUser) {
    user = scimUser;
  } else {
    if (!provider.jitProvisioning)
      throw new FederatedAccountRefusedError(
        `no hostpass account is bound to this ${provider.displayName} identity; ask an administrator`,
      );
    user = await createFederatedUser(repos, provider, claims, subject, now);
    created = true;
  }
  if (!user.enabled) throw new FederatedAccountRefusedError("this account is disabled");
  const groups =
    provider.claims.groups === undefined
      ? []
      : await syncGroups(repos, provider, user, groupValues(claims, provider.claims.groups), now);
  return {
    user,
    amr: upstreamMfa(provider, claims) ? ["fed", "mfa"] : ["fed"],
    created,
    boundByExternalId,
    groups,
  };
}

function domainAllowed(provider: IdentityProvider, upn: string): boolean {
  const domain = upn.slice(upn.indexOf("@") + 1).toLowerCase();
  return provider.allowedDomains.length === 0 || provider.allowedDomains.includes(domain);
}

/**
 * The SCIM-provisioned user this unbound identity is, by the provider's `externalId` claim, now
 * bound to it; undefined when the provider has no such rule, the claim is absent, or no SCIM user
 * has that externalId (the caller then creates the user just in time, or refuses).
 */
async function bindScimUser(
  repos: FederatedSignInRepositories,
  provider: IdentityProvider,
  claims: Readonly<Record<string, unknown>>,
  subject: string,
  now: Date,
): Promise<User | undefined> {
  const claim = provider.claims.externalId;
  if (claim === undefined) return undefined;
  const value = claims[claim];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.length === 0 || value.length > 1024)
    throw new FederatedClaimInvalidError(`the '${claim}' claim is not a SCIM externalId`);
  const { tenantId } = provider;
  const ids = await repos.federation.findByExternalId(tenantId, "User", value);
  if (ids.length === 0) return undefined;
  if (ids.length > 1)
    throw new FederatedAccountRefusedError(
      `${ids.length} hostpass accounts have this SCIM externalId; none is bound (the SCIM client must keep externalIds unique)`,
    );
  const principal = await repos.directory.getPrincipal(tenantId, ids[0] as string);
  if (principal?.kind !== "user") return undefined;
  if (!principal.enabled) throw new FederatedAccountRefusedError("this account is disabled");
  const existing = await repos.providers.listFederatedIdentitiesOf(tenantId, principal.id);
  if (existing.length > 0)
    throw new FederatedAccountRefusedError(
      `the hostpass account '${principal.upn}' with this SCIM externalId is bound to another identity already; it is not bound again`,
    );
  if (!domainAllowed(provider, principal.upn))
    throw new FederatedAccountRefusedError(
      `the hostpass account '${principal.upn}' is outside the domains allowed for ${provider.displayName}; it is not bound`,
    );
  await repos.providers.insertFederatedIdentity({
    tenantId,
    providerId: provider.id,
    issuer: provider.issuer,
    subject,
    principalId: principal.id,
    createdAt: now,
  });
  return principal;
}

async function createFederatedUser(
  repos: FederatedSignInRepositories,
  provider: IdentityProvider,
  claims: Readonly<Record<string, unknown>>,
  subject: string,
  now: Date,
): Promise<User> {
  const { tenantId } = provider;
  const claimName = provider.claims.username;
  const raw = claimText(claims, claimName, "user name");
  if (claimName === "email" && claims.email_verified !== true)
    throw new FederatedClaimInvalidError(
      "the provider has not verified this email address (email_verified is not true)",
    );
  let upn: string;
  try {
    upn = normalizeUpn(raw).upn;
  } catch (error) {
    if (error instanceof InvalidUpnError)
      throw new FederatedClaimInvalidError(
        `the '${claimName}' claim is not a user name of the form name@domain`,
      );
    throw error;
  }
  if (!domainAllowed(provider, upn))
    throw new FederatedClaimInvalidError(
      `the domain '${upn.slice(upn.indexOf("@") + 1).toLowerCase()}' is not allowed for ${provider.displayName}`,
    );
  if (await findUserByUpn(repos.directory, tenantId, upn))
    throw new FederatedAccountRefusedError(
      `a hostpass account named '${upn}' already exists and is not bound to this ${provider.displayName} identity; it is not merged`,
    );
  const linuxName =
    provider.claims.linuxName === undefined
      ? undefined
      : claimText(claims, provider.claims.linuxName, "Linux name");
  const displayName =
    typeof claims[provider.claims.displayName] === "string"
      ? (claims[provider.claims.displayName] as string)
      : upn;
  const user = await createUser(repos.directory, {
    tenantId,
    upn,
    displayName: displayName.slice(0, 256),
    ...(linuxName === undefined ? {} : { linuxName }),
    now: () => now,
  });
  await repos.providers.insertFederatedIdentity({
    tenantId,
    providerId: provider.id,
    issuer: provider.issuer,
    subject,
    principalId: user.id,
    createdAt: now,
  });
  return user;
}

async function syncGroups(
  repos: FederatedSignInRepositories,
  provider: IdentityProvider,
  user: User,
  values: readonly string[],
  now: Date,
): Promise<string[]> {
  const { tenantId } = provider;
  const linked = new Map(
    (await repos.providers.listFederatedGroups(tenantId, provider.id)).map((g) => [g.value, g.groupId]),
  );
  for (const value of values) {
    if (linked.has(value)) continue;
    const group = await createGroup(repos.directory, {
      tenantId,
      displayName: value,
      description: `from ${provider.displayName}`,
      now: () => now,
    });
    await repos.providers.insertFederatedGroup({
      tenantId,
      providerId: provider.id,
      value,
      groupId: group.id,
    });
    linked.set(value, group.id);
  }
  const wanted = new Set(values);
  for (const [value, groupId] of linked) {
    if (wanted.has(value))
      await addGroupMember(repos.directory, { tenantId, groupId, memberId: user.id, now: () => now });
    else await removeGroupMember(repos.directory, { tenantId, groupId, memberId: user.id });
  }
  return [...wanted];
}
