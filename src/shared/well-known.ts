/**
 * Protocol identifiers the service and its clients agree on: part of the wire contract, like the
 * URLs in the discovery document. One definition, imported by auth/, policy/ and cli/.
 */

/** The API that issues SSH certificates ("Azure Linux VM Sign-In" in the seed). */
export const LINUX_VM_SIGN_IN_RESOURCE = "urn:hostpass:linux-vm-sign-in";
/** Its application id, the target of conditional access policies. Fixed forever. */
export const LINUX_VM_SIGN_IN_APP_ID = "e6d7716a-22d0-4bda-a95d-08e339e47f73";
export const LINUX_VM_SIGN_IN_DISPLAY_NAME = "Linux VM Sign-In";
/** The one scope of that resource: sign in to Linux machines. */
export const LINUX_VM_SIGN_IN_SCOPE = "vm.login";

/** The management API (the `hostpass` commands' REST API; Azure Resource Manager in the seed). */
export const MANAGEMENT_API_RESOURCE = "urn:hostpass:api";
/** Its one scope: act as the signed-in principal, within that principal's role assignments. */
export const MANAGEMENT_API_SCOPE = "user_impersonation";

/** The `hostpass` CLI: a public native client (RFC 8252), PKCE only, loopback redirects. */
export const CLI_CLIENT_ID = "b95e88a6-adb6-476d-9b94-9e0584ce3198";
/** What the CLI asks for at sign-in; resources come by refresh token. */
export const SIGN_IN_SCOPE = "openid profile offline_access";

/**
 * The administration portal (`/portal`): a first-party web client that signs its users in with
 * authorization code + PKCE and calls the management API with their tokens, like the CLI does.
 */
export const PORTAL_CLIENT_ID = "5f0c7f2e-8b1d-4c3a-9a6e-2d4b8c1e7a90";

/**
 * hostpass's SSH login extension (the seed's `AADSSHLoginForLinux` by
 * `Microsoft.Azure.ActiveDirectory`, which the API accepts as an alias).
 */
export const LOGIN_EXTENSION_NAME = "SSHLoginForLinux";
export const LOGIN_EXTENSION_PUBLISHER = "hostpass";

/**
 * The exit codes the seed documents for `vm extension set` failures, by error code: the CLI exits
 * with them, the portal shows them next to the same message.
 */
export const SEED_EXIT_CODES: Readonly<Record<string, number>> = Object.freeze({
  ERR_EXTENSION_NO_MANAGED_IDENTITY: 22,
  ERR_EXTENSION_LEGACY_INSTALLED: 23,
});
