/** Federation (issue 13): SCIM 2.0 provisioning and upstream OpenID Connect providers. */

export {
  FederatedAccountRefusedError,
  FederatedClaimInvalidError,
  FederatedSignInFailedError,
  FederationError,
  IdentityProviderConflictError,
  IdentityProviderInvalidError,
  IdentityProviderNotFoundError,
  InvalidRedirectUriError,
  ScimInvalidFilterError,
  ScimInvalidPathError,
  ScimInvalidSyntaxError,
  ScimInvalidValueError,
  ScimMutabilityError,
  ScimNoTargetError,
  ScimResourceNotFoundError,
  ScimTokenInvalidError,
  ScimTokenNotFoundError,
  ScimTooManyError,
  type ScimType,
} from "./errors.ts";
export {
  addIdentityProvider,
  buildIdentityProvider,
  deleteIdentityProvider,
  getIdentityProvider,
  type IdentityProviderInput,
  updateIdentityProvider,
} from "./oidc/providers.ts";
export { checkRedirectUris, MAX_REDIRECT_URIS } from "./oidc/redirect-uris.ts";
export type { IdentityProviderRepository } from "./oidc/repository.ts";
export {
  type FederatedSignIn,
  type FederatedSignInRepositories,
  signInFederated,
  upstreamMfa,
} from "./oidc/sign-in.ts";
export { newSigningKey, publicJwks } from "./oidc/signing-key.ts";
export {
  CLIENT_AUTH_METHODS,
  type ClaimMapping,
  type ClientAuthMethod,
  type FederatedGroup,
  type FederatedIdentity,
  type IdentityProvider,
  type ProviderSigningKey,
  type TenantIdentityProvider,
} from "./oidc/types.ts";
export type { FederationRepository, ScimObject, ScimResourceType, ScimTokenRecord } from "./repository.ts";
export { matchesScimFilter, parseScimFilter } from "./scim/filter.ts";
export {
  ERROR_SCHEMA,
  GROUP_SCHEMA,
  RESOURCE_TYPE_SCHEMA,
  SERVICE_PROVIDER_CONFIG,
  USER_SCHEMA,
} from "./scim/schemas.ts";
export {
  createScimGroup,
  createScimUser,
  deleteScimGroup,
  deleteScimUser,
  getScimGroup,
  getScimUser,
  type ListQuery,
  listScimGroups,
  listScimUsers,
  patchScimGroup,
  patchScimUser,
  replaceScimGroup,
  replaceScimUser,
  type ScimContext,
  type ScimResource,
} from "./scim/service.ts";
export {
  createScimToken,
  deleteScimToken,
  getScimToken,
  hashScimToken,
  type NewScimToken,
  verifyScimToken,
} from "./scim-token.ts";
