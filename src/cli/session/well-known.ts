/**
 * Protocol constants the CLI and the service agree on. They are part of the wire contract, like
 * the URLs in the discovery document; src/auth/constants.ts holds the same values for the server.
 */
export const CLI_CLIENT_ID = "b95e88a6-adb6-476d-9b94-9e0584ce3198";
export const LINUX_VM_SIGN_IN_RESOURCE = "urn:hostpass:linux-vm-sign-in";
export const LINUX_VM_SIGN_IN_SCOPE = "vm.login";
export const SIGN_IN_SCOPE = "openid profile offline_access";
/** The management API (every command but `ssh`): refresh with this resource and scope. */
export const MANAGEMENT_API_RESOURCE = "urn:hostpass:api";
export const MANAGEMENT_API_SCOPE = "user_impersonation";
