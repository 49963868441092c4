import { randomUUID } from "node:crypto";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyReply, type FastifyServerOptions } from "fastify";
import type { App } from "./app.ts";
import type { ServiceKeys } from "./auth/service-keys.ts";
import { DEFAULT_TOKEN_SETTINGS, type TokenSettings } from "./auth/tokens.ts";
import type { DomainServices } from "./deps.ts";
import { registerAudit } from "./plugins/audit.ts";
import { registerAuthenticate } from "./plugins/authenticate.ts";
import { registerAuthorize } from "./plugins/authorize.ts";
import { registerErrorHandler, toErrorResponse } from "./plugins/error-handler.ts";
import { registerJsonBody } from "./plugins/json-body.ts";
import { registerOpenApi } from "./plugins/openapi.ts";
import { registerRoutes } from "./routes/index.ts";

/** 64 KiB: the largest legitimate body (a custom role definition) is a few KiB. */
export const BODY_LIMIT = 64 * 1024;

export interface BuildServerOptions {
  readonly keys: ServiceKeys;
  readonly services: DomainServices;
  readonly tokens?: TokenSettings;
  /** Fastify logger options (`{ level, stream }`) or false. */
  readonly logger?: FastifyServerOptions["logger"];
  /** Set for HTTPS (`{ key, cert }` PEM); plain HTTP otherwise. */
  readonly https?: { readonly key: string; readonly cert: string };
}

export type { App };

/**
 * The composition root: the one place where the store-backed domain services, the API token keys
 * and the routes meet. Tests call it with their own services and keys; `startServer` with real ones.
 */
export async function buildServer(options: BuildServerOptions): Promise<App> {
  const tokens = options.tokens ?? DEFAULT_TOKEN_SETTINGS;
  const serverOptions: FastifyServerOptions = {
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    requestTimeout: 30_000, // a slow client cannot hold a socket and a request open indefinitely
    requestIdHeader: false, // never trust a caller-chosen id: it goes into the audit log
    genReqId: () => randomUUID(),
    routerOptions: { maxParamLength: 512 },
    // Errors raised before routing (an undecodable URL) skip the error handler; same shape here.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      const { status, body } = toErrorResponse(error);
      void reply.code(status).send(body);
    },
    ajv: {
      // Fastify's default silently drops unknown properties; we want them refused.
      customOptions: { removeAdditional: false, useDefaults: true, coerceTypes: "array", allErrors: false },
    },
  };
  // The https branch is typed as the plain one: routes and inject do not care which server it is.
  const withTls = options.https ? { ...serverOptions, https: { ...options.https } } : serverOptions;
  const app = Fastify(withTls as FastifyServerOptions).withTypeProvider<TypeBoxTypeProvider>() as App;

  registerErrorHandler(app);
  registerJsonBody(app);
  registerOpenApi(app, { title: "hostpass API", version: "0.1.0" });
  registerAuthenticate(app, {
    keys: options.keys,
    tokens,
    checkPrincipal: options.services.checkPrincipal,
  });
  registerAuthorize(app, options.services);
  registerAudit(app, options.services.audit);
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
    reply.header("cache-control", "no-store");
    reply.header("x-content-type-options", "nosniff");
    if (options.https) reply.header("strict-transport-security", "max-age=31536000");
  });
  registerRoutes(app, { ...options.services, keys: options.keys });
  await app.ready();
  return app;
}
