/** The sign-in portal: server-rendered pages for sign-in, second factors and device-code approval. */

export type { AdminDeps, LocalHttp, LocalRequest, LocalResponse } from "./admin/ports.ts";
export type {
  AccountFactors,
  DeviceCodeView,
  FederatedProviderView,
  InteractionOutcome,
  InteractionView,
  PortalPrincipal,
  RequestInfo,
  SecurityChange,
  SignInAccount,
  SignInBackend,
  SignInEvent,
} from "./backend.ts";
export { InMemoryStateStore, type PortalStateStore } from "./lib/state-store.ts";
export { normalizeUserCode, USER_CODE_ALPHABET } from "./lib/user-code.ts";
export { CONTENT_SECURITY_POLICY, type PortalDeps, registerPortal } from "./register-portal.ts";
