/** OAuth 2.0 / OpenID Connect: the authorization server and the access-token check the CA uses. */
export {
  ACCESS_TOKEN_TYP,
  HOSTPASS_CLI_CLIENT_ID,
  HOSTPASS_CLI_REDIRECT_URIS,
  LINUX_VM_SIGN_IN_APP_ID,
  LINUX_VM_SIGN_IN_DISPLAY_NAME,
  LINUX_VM_SIGN_IN_RESOURCE,
  LINUX_VM_SIGN_IN_SCOPE,
  MANAGEMENT_API_RESOURCE,
  MANAGEMENT_API_SCOPE,
} from "./constants.ts";
export {
  type AuthorizationServer,
  type AuthorizationServerConfig,
  type AuthorizationServerDeps,
  createAuthorizationServer,
  DEFAULT_DEVICE_FLOW,
  DEFAULT_TTL,
} from "./create-authorization-server.ts";
export { AuthError, InteractionError, InvalidAccessTokenError, SigningKeyError } from "./errors.ts";
export type { FinishInteractionInput, InteractionView } from "./interactions.ts";
export { type CliClientOptions, portalClientMetadata } from "./lib/clients.ts";
export type { DeviceFlowLimits } from "./lib/device-flow.ts";
export type { TokenLifetimes } from "./lib/provider-config.ts";
export { predatesSessions } from "./lib/sessions-valid-from.ts";
export { createMemoryThrottleStore, throttleStoreOver } from "./memory-throttle-store.ts";
export { type AuthPages, DEFAULT_PAGES, type DeviceApprovalView, escapeHtml } from "./pages.ts";
export {
  type AccountRecord,
  type AccountSource,
  type KeyStore,
  OIDC_MODELS,
  type OidcModelName,
  type OidcPayload,
  type OidcStorage,
  type ServicePrincipalRecord,
  type SigningKey,
  type SigningKeyStatus,
  type ThrottleStore,
} from "./types.ts";
export {
  type LinuxSignInToken,
  MAX_CLOCK_SKEW_SECONDS,
  type VerifyLinuxSignInTokenOptions,
  verifyLinuxSignInTokenWith,
} from "./verify-linux-sign-in-token.ts";
