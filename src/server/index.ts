/** The HTTP edge: the composition root and `hostpass server`. */

export {
  type ApiPrincipal,
  MANAGEMENT_API_RESOURCE,
  type TokenTrust,
  verifyAccessToken,
} from "./auth/tokens.ts";
export { type BootstrapResult, bootstrap } from "./bootstrap.ts";
export { type App, BODY_LIMIT, type BuildServerOptions, buildServer } from "./build-server.ts";
export type { DomainServices } from "./deps.ts";
export { KEK_ENV, kekPath, loadOrCreateKek } from "./keys/kek.ts";
export { type RunningServer, type StartServerOptions, startServer } from "./start-server.ts";
export { type Repositories, wireServices } from "./wire-services.ts";
