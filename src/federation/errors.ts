import { HostpassError } from "../shared/errors.ts";

/**
 * SCIM's `scimType` (RFC 7644 §3.12) for the errors that have one. The SCIM edge shows it in the
 * error body; the rest of hostpass sees an ordinary `HostpassError`.
 */
export type ScimType =
  | "invalidFilter"
  | "tooMany"
  | "uniqueness"
  | "mutability"
  | "invalidSyntax"
  | "invalidPath"
  | "noTarget"
  | "invalidValue";

/** Base of every failure the federation module reports. */
export abstract class FederationError extends HostpassError {
  /** Set on SCIM protocol errors. */
  readonly scimType: ScimType | undefined = undefined;
}

/** A SCIM filter that does not parse, or names an attribute or operator hostpass does not filter on. */
export class ScimInvalidFilterError extends FederationError {
  static readonly code = "ERR_SCIM_INVALID_FILTER";
  readonly code = ScimInvalidFilterError.code;
  readonly kind = "invalid";
  override readonly scimType = "invalidFilter";
}

/** A SCIM request body that is not the shape RFC 7643/7644 describe (wrong schema, type, member). */
export class ScimInvalidSyntaxError extends FederationError {
  static readonly code = "ERR_SCIM_INVALID_SYNTAX";
  readonly code = ScimInvalidSyntaxError.code;
  readonly kind = "invalid";
  override readonly scimType = "invalidSyntax";
}

/** A value hostpass cannot take (a userName that is not a UPN, a member that does not exist, ...). */
export class ScimInvalidValueError extends FederationError {
  static readonly code = "ERR_SCIM_INVALID_VALUE";
  readonly code = ScimInvalidValueError.code;
  readonly kind = "invalid";
  override readonly scimType = "invalidValue";
}

/** A change to an attribute that cannot change (id, userName, meta, the Linux name, the uid). */
export class ScimMutabilityError extends FederationError {
  static readonly code = "ERR_SCIM_MUTABILITY";
  readonly code = ScimMutabilityError.code;
  readonly kind = "invalid";
  override readonly scimType = "mutability";
}

/** A PATCH path that does not parse or names nothing hostpass knows. */
export class ScimInvalidPathError extends FederationError {
  static readonly code = "ERR_SCIM_INVALID_PATH";
  readonly code = ScimInvalidPathError.code;
  readonly kind = "invalid";
  override readonly scimType = "invalidPath";
}

/** A PATCH whose path filter matched nothing to change. */
export class ScimNoTargetError extends FederationError {
  static readonly code = "ERR_SCIM_NO_TARGET";
  readonly code = ScimNoTargetError.code;
  readonly kind = "invalid";
  override readonly scimType = "noTarget";
}

/** A filter that would have to look at more resources than hostpass evaluates in one request. */
export class ScimTooManyError extends FederationError {
  static readonly code = "ERR_SCIM_TOO_MANY";
  readonly code = ScimTooManyError.code;
  readonly kind = "invalid";
  override readonly scimType = "tooMany";
}

/** No such user or group in the tenant (or another kind of object has this id). */
export class ScimResourceNotFoundError extends FederationError {
  static readonly code = "ERR_SCIM_NOT_FOUND";
  readonly code = ScimResourceNotFoundError.code;
  readonly kind = "not_found";
}

/** The SCIM bearer token is missing, malformed, or not the tenant's current one. Fixed message. */
export class ScimTokenInvalidError extends FederationError {
  static readonly code = "ERR_SCIM_TOKEN_INVALID";
  readonly code = ScimTokenInvalidError.code;
  readonly kind = "unauthenticated";
  constructor() {
    super("the SCIM bearer token is missing or not valid");
  }
}

/** The tenant has no SCIM token (`hostpass scim token create` makes one). */
export class ScimTokenNotFoundError extends FederationError {
  static readonly code = "ERR_SCIM_TOKEN_NOT_FOUND";
  readonly code = ScimTokenNotFoundError.code;
  readonly kind = "not_found";
}

/** An upstream provider's settings break a rule (issuer URL, name, scopes, claim names, domains). */
export class IdentityProviderInvalidError extends FederationError {
  static readonly code = "ERR_IDP_INVALID";
  readonly code = IdentityProviderInvalidError.code;
  readonly kind = "invalid";
}

/** Another provider of the tenant has this name. */
export class IdentityProviderConflictError extends FederationError {
  static readonly code = "ERR_IDP_CONFLICT";
  readonly code = IdentityProviderConflictError.code;
  readonly kind = "conflict";
}

/** No such provider in the tenant. */
export class IdentityProviderNotFoundError extends FederationError {
  static readonly code = "ERR_IDP_NOT_FOUND";
  readonly code = IdentityProviderNotFoundError.code;
  readonly kind = "not_found";
}

/**
 * The upstream sign-in could not be verified (discovery, state, PKCE, `iss`, ID token signature,
 * issuer, audience, nonce, expiry) or the provider is unreachable. The message says which check.
 */
export class FederatedSignInFailedError extends FederationError {
  static readonly code = "ERR_FEDERATION_SIGN_IN_FAILED";
  readonly code = FederatedSignInFailedError.code;
  readonly kind = "unauthenticated";
}

/** A claim hostpass maps is missing or unusable (`email_verified` false, not a UPN, domain not allowed). */
export class FederatedClaimInvalidError extends FederationError {
  static readonly code = "ERR_FEDERATION_CLAIM_INVALID";
  readonly code = FederatedClaimInvalidError.code;
  readonly kind = "forbidden";
}

/**
 * The upstream identity is bound to no hostpass user and cannot be created: just-in-time creation
 * is off, or a local user already has its name (never merged), or the user is disabled.
 */
export class FederatedAccountRefusedError extends FederationError {
  static readonly code = "ERR_FEDERATION_ACCOUNT_REFUSED";
  readonly code = FederatedAccountRefusedError.code;
  readonly kind = "forbidden";
}

/** A web client's redirect URI that is not an absolute https URL (http on loopback only), or too many. */
export class InvalidRedirectUriError extends FederationError {
  static readonly code = "ERR_FEDERATION_INVALID_REDIRECT_URI";
  readonly code = InvalidRedirectUriError.code;
  readonly kind = "invalid";
}
