import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ServiceKeys } from "../auth/service-keys.ts";
import { type ApiPrincipal, type TokenSettings, verifyAccessToken } from "../auth/tokens.ts";
import { UnauthenticatedError } from "../errors.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the authentication hook on every non-public route; null only on public ones. */
    principal: ApiPrincipal | null;
  }
  interface FastifyContextConfig {
    /** Only discovery documents (JWKS, OpenAPI) are public; nothing administrative may be. */
    public?: boolean;
  }
}

export interface AuthenticateOptions {
  readonly keys: ServiceKeys;
  readonly tokens: TokenSettings;
  /** Refuses principals the directory no longer knows or has disabled (a token outlives a change). */
  readonly checkPrincipal?: (principal: ApiPrincipal) => Promise<void>;
}

const BEARER = /^Bearer ([A-Za-z0-9_.-]{1,8192})$/;

/**
 * Authenticates every request to a known route unless the route is marked public. Secure by
 * default: a route someone forgets to mark is protected, not open.
 */
export function registerAuthenticate(app: FastifyInstance, options: AuthenticateOptions): void {
  app.decorateRequest("principal", null);
  app.addHook("onRequest", async (request) => {
    if (request.routeOptions.url === undefined) return; // no route: the 404 handler answers
    if (request.routeOptions.config.public === true) return;
    request.principal = await authenticate(request, options);
  });
}

async function authenticate(request: FastifyRequest, options: AuthenticateOptions): Promise<ApiPrincipal> {
  const header = request.headers.authorization;
  const match = typeof header === "string" ? BEARER.exec(header) : null;
  if (!match?.[1]) throw new UnauthenticatedError();
  const principal = await verifyAccessToken(options.keys, options.tokens, match[1]);
  if (options.checkPrincipal) await options.checkPrincipal(principal);
  return principal;
}

/** For handlers: the authenticated principal (a TypeError if a public route asks, which is our bug). */
export function principalOf(request: FastifyRequest): ApiPrincipal {
  if (!request.principal) throw new TypeError("principalOf() on a route without authentication");
  return request.principal;
}
