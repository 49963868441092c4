/** The HTTP edge: the composition root and `hostpass server`. */

export { loadOrCreateServiceKeys, type ServiceKeys } from "./auth/service-keys.ts";
export {
  type ApiPrincipal,
  DEFAULT_TOKEN_SETTINGS,
  mintAccessToken,
  type TokenSettings,
  verifyAccessToken,
} from "./auth/tokens.ts";
export { type BootstrapResult, bootstrap } from "./bootstrap.ts";
export { type App, BODY_LIMIT, type BuildServerOptions, buildServer } from "./build-server.ts";
export type { DomainServices } from "./deps.ts";
export { type RunningServer, type StartServerOptions, startServer } from "./start-server.ts";
export { type Repositories, wireServices } from "./wire-services.ts";
