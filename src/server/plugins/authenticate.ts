import type { FastifyInstance, FastifyRequest } from "fastify";
import { type ApiPrincipal, type TokenTrust, verifyAccessToken } from "../auth/tokens.ts";
import { UnauthenticatedError } from "../errors.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the authentication hook on every non-public route; null only on public ones. */
    principal: ApiPrincipal | null;
  }
  interface FastifyContextConfig {
    /** Only discovery documents (JWKS, OpenAPI) are public; nothing administrative may be. */
    public?: boolean;
    /**
     * A public route that answers more to a signed-in caller (`GET /health`): a token, when one
     * is sent, is verified as on any route (a bad one is 401), and `request.principal` is set.
     */
    authenticateIfPresent?: boolean;
  }
}

export interface AuthenticateOptions {
  /** The issuer, audience and keys tokens must match; read per request (keys rotate). */
  readonly trust: () => TokenTrust;
  /**
   * Refuses principals the directory no longer knows or has disabled (a token outlives a change),
   * and answers the principal as the directory knows it (a managed identity's `app` token).
   */
  readonly checkPrincipal?: (principal: ApiPrincipal) => Promise<ApiPrincipal>;
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
    const config = request.routeOptions.config;
    if (config.public === true) {
      if (config.authenticateIfPresent === true && request.headers.authorization !== undefined)
        request.principal = await authenticate(request, options);
      return;
    }
    request.principal = await authenticate(request, options);
  });
}

async function authenticate(request: FastifyRequest, options: AuthenticateOptions): Promise<ApiPrincipal> {
  const header = request.headers.authorization;
  const match = typeof header === "string" ? BEARER.exec(header) : null;
  if (!match?.[1]) throw new UnauthenticatedError();
  const principal = await verifyAccessToken(options.trust(), match[1]);
  return options.checkPrincipal ? options.checkPrincipal(principal) : principal;
}

/** For handlers: the authenticated principal (a TypeError if a public route asks, which is our bug). */
export function principalOf(request: FastifyRequest): ApiPrincipal {
  if (!request.principal) throw new TypeError("principalOf() on a route without authentication");
  return request.principal;
}
