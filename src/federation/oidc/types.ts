/** Upstream OpenID Connect providers of a tenant (issue 13 items 1-2). */

export const CLIENT_AUTH_METHODS = [
  "client_secret_basic",
  "client_secret_post",
  "private_key_jwt",
  "none",
] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

/** Which claims hostpass reads from the upstream ID token (or userinfo). */
export interface ClaimMapping {
  /** The user's UPN in hostpass (default `preferred_username`; `email` needs `email_verified: true`). */
  readonly username: string;
  /** The Linux name; absent: derived from the UPN by the local rule. */
  readonly linuxName?: string;
  /** Default `name`. */
  readonly displayName: string;
  /** A claim holding a list of group names; absent: groups are not synced. */
  readonly groups?: string;
  /**
   * A claim whose value is the SCIM `externalId` the organisation's SCIM client gave its users: an
   * unbound identity whose claim equals exactly one SCIM-provisioned user's externalId is bound to
   * that user at its first sign-in (only one provider of a tenant may have it; see sign-in.ts).
   */
  readonly externalId?: string;
}

export interface IdentityProvider {
  readonly id: string;
  readonly tenantId: string;
  /** Unique in the tenant (case-insensitive); what `hostpass idp` names it by. */
  readonly name: string;
  /** Shown on the sign-in page: "Sign in with <displayName>". */
  readonly displayName: string;
  /** Must equal the discovery document's `issuer` exactly. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientAuth: ClientAuthMethod;
  readonly scopes: readonly string[];
  readonly claims: ClaimMapping;
  /** The UPN's domain must be one of these (lower case); empty: any. */
  readonly allowedDomains: readonly string[];
  /** First sign-in creates the user (just in time); otherwise only bound users sign in. */
  readonly jitProvisioning: boolean;
  /** Upstream `amr`/`acr` count as multi-factor for hostpass's "require MFA". */
  readonly trustMfa: boolean;
  /** `acr` values that mean multi-factor, when trusted (besides `amr` containing `mfa`). */
  readonly mfaAcrValues: readonly string[];
  readonly enabled: boolean;
  /**
   * The public half of the key hostpass signs its private_key_jwt client assertions with (made by
   * hostpass; the private half is sealed in the store). The provider registers it, or fetches it
   * from the JWKS URI.
   */
  readonly signingKey?: ProviderSigningKey;
  /** PEM of a CA to trust for the provider's HTTPS (a private CA); absent: the system's. */
  readonly caCertificate?: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A provider with the names of its tenant (the sign-in page shows them when tenants differ). */
export interface TenantIdentityProvider {
  readonly provider: IdentityProvider;
  readonly tenantName: string;
  readonly tenantDisplayName: string;
}

export interface ProviderSigningKey {
  /** RFC 7638 thumbprint of the public key. */
  readonly kid: string;
  readonly alg: "RS256";
  /** The public JWK (kty, n, e). */
  readonly publicJwk: Readonly<Record<string, string>>;
  /** ISO time it was made. */
  readonly createdAt: string;
}

/** A hostpass principal bound to an upstream (issuer, subject). */
export interface FederatedIdentity {
  readonly tenantId: string;
  readonly providerId: string;
  readonly issuer: string;
  readonly subject: string;
  readonly principalId: string;
  readonly createdAt: Date;
}

/** A hostpass group that stands for one value of a provider's groups claim. */
export interface FederatedGroup {
  readonly tenantId: string;
  readonly providerId: string;
  readonly value: string;
  readonly groupId: string;
}
