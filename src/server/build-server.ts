import { randomUUID } from "node:crypto";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyReply, type FastifyServerOptions } from "fastify";
import type { App } from "./app.ts";
import type { TokenTrust } from "./auth/tokens.ts";
import type { DomainServices } from "./deps.ts";
import { registerAudit } from "./plugins/audit.ts";
import { registerAuthenticate } from "./plugins/authenticate.ts";
import { registerAuthorize } from "./plugins/authorize.ts";
import { registerErrorHandler, toErrorResponse } from "./plugins/error-handler.ts";
import { registerJsonBody } from "./plugins/json-body.ts";
import { registerOpenApi } from "./plugins/openapi.ts";
import { registerSecurityHeaders } from "./plugins/security-headers.ts";
import { registerRoutes, scimBaseUrl } from "./routes/index.ts";
import { registerScim } from "./routes/scim/index.ts";
import { TLS_SERVER_OPTIONS } from "./tls-policy.ts";

/** 64 KiB: the largest legitimate body (a custom role definition) is a few KiB. */
export const BODY_LIMIT = 64 * 1024;

export interface BuildServerOptions {
  readonly services: DomainServices;
  /** What API access tokens must match: the authorization server's issuer, the API audience, its keys. */
  readonly trust: () => TokenTrust;
  /** Fastify logger options (`{ level, stream }`) or false. */
  readonly logger?: FastifyServerOptions["logger"];
  /** Set for HTTPS (`{ key, cert }` PEM); plain HTTP otherwise. */
  readonly https?: { readonly key: string; readonly cert: string };
  /**
   * Mounts what lives next to the API at the root (the authorization server and the sign-in
   * portal): outside the API's scope, so its bearer-token check and RBAC guard do not apply there.
   */
  readonly mount?: (app: App) => void;
  /** Proxies (IPs / CIDRs) whose X-Forwarded-For gives `request.ip`; none by default. */
  readonly trustProxy?: readonly string[];
}

export type { App };

/**
 * The composition root: the one place where the store-backed domain services, the token trust
 * and the routes meet. Tests call it with their own services and keys; `startServer` with real ones.
 */
export async function buildServer(options: BuildServerOptions): Promise<App> {
  const serverOptions: FastifyServerOptions = {
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    requestTimeout: 30_000, // a slow client cannot hold a socket and a request open indefinitely
    requestIdHeader: false, // never trust a caller-chosen id: it goes into the audit log
    genReqId: () => randomUUID(),
    // The client address (sign-in log, conditional access) is the peer's unless it is a trusted proxy.
    ...(options.trustProxy ? { trustProxy: [...options.trustProxy] } : {}),
    // Longer than any name or id a schema accepts (their maxLength says which field is too long,
    // and by how much); Node's 16 KiB header limit bounds the URL itself.
    routerOptions: { maxParamLength: 8192 },
    // Errors raised before routing (an undecodable URL) skip the error handler; same shape here.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      const { status, body } = toErrorResponse(error);
      void reply.code(status).send(body);
    },
    ajv: {
      // Fastify's default silently drops unknown properties; we want them refused. And it coerces
      // types ("false" → false, "5" → 5, "x" → ["x"]): a value that reaches a handler is exactly
      // the type its schema says, or the request is refused (query strings are declared as text).
      // `verbose`: an error carries its keyword's schema, so a union of constants can be listed in words.
      customOptions: {
        removeAdditional: false,
        useDefaults: true,
        coerceTypes: false,
        allErrors: false,
        verbose: true,
      },
    },
  };
  // The https branch is typed as the plain one: routes and inject do not care which server it is.
  const withTls = options.https
    ? { ...serverOptions, https: { ...TLS_SERVER_OPTIONS, ...options.https } }
    : serverOptions;
  const app = Fastify(withTls as FastifyServerOptions).withTypeProvider<TypeBoxTypeProvider>() as App;

  registerErrorHandler(app);
  registerJsonBody(app);
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
    // Responses carry tokens, ids and account data; the portal sets its own (static files cache).
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
  });
  registerSecurityHeaders(app, options.https !== undefined);
  const documented: { method: string; url: string }[] = [];
  app.decorate("documentedRoutes", documented);
  // The API in a scope of its own: every route there needs a token and declares a permission.
  app.register(async (scope) => {
    const api = scope as unknown as App;
    registerOpenApi(api, { title: "hostpass API", version: "0.1.0" }, documented);
    registerAuthenticate(api, { trust: options.trust, checkPrincipal: options.services.checkPrincipal });
    registerAuthorize(api, options.services);
    registerAudit(api, options.services.audit, {
      backgroundErrors: options.services.backgroundErrors,
      clock: options.services.clock,
    });
    registerRoutes(api, { ...options.services, trust: options.trust });
  });
  // SCIM in a scope of its own: a SCIM token, not an API token, and SCIM's error bodies.
  const federation = options.services.federation;
  if (federation !== undefined) {
    registerScim(app, {
      ...options.services,
      federation,
      baseUrl: () => scimBaseUrl(options.trust().issuer),
    });
  }
  options.mount?.(app);
  await app.ready();
  return app;
}
