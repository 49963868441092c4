/**
 * Fixed identifiers of the authorization server. The resource URI is what clients pass as
 * `resource` (RFC 8707) and what access tokens for certificate issuance carry as `aud`.
 */

export {
  CLI_CLIENT_ID as HOSTPASS_CLI_CLIENT_ID,
  LINUX_VM_SIGN_IN_APP_ID,
  LINUX_VM_SIGN_IN_DISPLAY_NAME,
  LINUX_VM_SIGN_IN_RESOURCE,
  LINUX_VM_SIGN_IN_SCOPE,
  MANAGEMENT_API_RESOURCE,
  MANAGEMENT_API_SCOPE,
} from "../shared/well-known.ts";

/** Registered without a port; any loopback port matches, the path must match exactly. */
export const HOSTPASS_CLI_REDIRECT_URIS: readonly string[] = [
  "http://127.0.0.1/callback",
  "http://[::1]/callback",
];

/** The access token's JOSE `typ` (RFC 9068); ID tokens and other JWTs never carry it. */
export const ACCESS_TOKEN_TYP = "at+jwt";
