/**
 * `registerPortal(app, deps)`: the sign-in pages as one encapsulated Fastify plugin. It brings its
 * own body parser (forms only), security headers, CSRF check on every POST, HTML error pages and
 * static files, so none of it leaks into the JSON API registered next to it.
 */
import { readFileSync } from "node:fs";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AttemptLimiter, type RelyingParty } from "../mfa/index.ts";
import { type ErrorKind, isHostpassError } from "../shared/errors.ts";
import { publicMessageOf } from "../shared/public-failure.ts";
import { MemoryRateCounters, type RateCounters } from "../shared/rate-counters.ts";
import { dropTokens } from "./admin/lib/api-client.ts";
import type { AdminDeps } from "./admin/ports.ts";
import { registerAdmin } from "./admin/register-admin.ts";
import type { SignInBackend } from "./backend.ts";
import type { PortalContext } from "./lib/context.ts";
import { Csrf } from "./lib/csrf.ts";
import { registerFormParser, registerPostChecks, wantsJson } from "./lib/forms.ts";
import { InMemoryStateStore, type PortalStateStore } from "./lib/state-store.ts";
import { registerDeviceRoutes } from "./routes/device.ts";
import { registerFederatedSignInRoutes } from "./routes/federated-sign-in.ts";
import { registerInteractionRoutes } from "./routes/interaction.ts";
import { registerPasskeySignInRoutes } from "./routes/passkey-sign-in.ts";
import { registerPasswordRoutes } from "./routes/password.ts";
import { registerSecurityRoutes } from "./routes/security.ts";
import { registerSignInRoutes } from "./routes/sign-in.ts";
import { errorPage } from "./views/layout.ts";

export interface PortalDeps {
  readonly backend: SignInBackend;
  /** WebAuthn relying party: the portal's host name and exact origin(s); also the allowed POST origins. */
  readonly relyingParty: RelyingParty;
  /** At least 32 random bytes; keys the CSRF tokens. Keep it stable across restarts and replicas. */
  readonly cookieKey: Uint8Array;
  /** True when served over HTTPS: cookies get `Secure` and the `__Host-` prefix. */
  readonly secureCookies: boolean;
  /** Path prefix of every portal route (default: none). */
  readonly prefix?: string;
  /** The issuer shown in authenticator apps (default "hostpass"). */
  readonly totpIssuer?: string;
  /**
   * Server-side state (flows, challenges, sessions); default: this process's memory. Replicas
   * pass the store's, so a sign-in or session works on every one.
   */
  readonly state?: PortalStateStore;
  /** Counters of the attempt limits (shared/rate-counters.ts); default: this process's memory. */
  readonly counters?: RateCounters;
  readonly limiters?: Partial<PortalContext["limiters"]>;
  readonly sessionTtlMs?: number;
  /** How recent a sign-in must be to add a second factor (default 10 minutes). */
  readonly recentAuthMs?: number;
  readonly now?: () => number;
  /**
   * The administration pages (home, resources, access control, directory, logs, conditional
   * access) over the management API; absent: the portal only signs people in.
   */
  readonly admin?: AdminDeps;
}

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const MINUTE = 60_000;

const STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  limited: 429,
  unavailable: 503,
  internal: 500,
};

const CSS = "text/css; charset=utf-8";
const JS = "text/javascript; charset=utf-8";
const STATIC_FILES: ReadonlyMap<string, { type: string; body: Buffer }> = new Map(
  (
    [
      ["portal.css", CSS],
      ["admin.css", CSS],
      ["webauthn.js", JS],
      ["admin.js", JS],
    ] as const
  ).map(([name, type]) => [name, { type, body: readFileSync(new URL(`./static/${name}`, import.meta.url)) }]),
);

export function registerPortal(app: FastifyInstance, deps: PortalDeps): void {
  const prefix = deps.prefix ?? "";
  const counters = deps.counters ?? new MemoryRateCounters();
  const ctx: PortalContext = {
    backend: deps.backend,
    rp: deps.relyingParty,
    issuer: deps.totpIssuer ?? "hostpass",
    state: deps.state ?? new InMemoryStateStore(),
    csrf: new Csrf(deps.cookieKey, deps.secureCookies),
    secure: deps.secureCookies,
    limiters: {
      account:
        deps.limiters?.account ??
        new AttemptLimiter(
          { maxFailures: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
          counters,
          "account",
        ),
      source:
        deps.limiters?.source ??
        new AttemptLimiter(
          { maxFailures: 50, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
          counters,
          "source",
        ),
      userCode:
        deps.limiters?.userCode ??
        new AttemptLimiter(
          { maxFailures: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
          counters,
          "user-code",
        ),
    },
    sessionTtlMs: deps.sessionTtlMs ?? 8 * 60 * MINUTE,
    recentAuthMs: deps.recentAuthMs ?? 10 * MINUTE,
    now: deps.now ?? Date.now,
    path: (p) => `${prefix}${p}`,
  };
  app.register(async (portal) => portalPlugin(portal, ctx, prefix, deps.admin), { prefix });
}

async function portalPlugin(
  portal: FastifyInstance,
  base: PortalContext,
  prefix: string,
  admin: AdminDeps | undefined,
): Promise<void> {
  // Signing out of the portal also ends the administration session's grant.
  const ctx: PortalContext =
    admin === undefined
      ? base
      : { ...base, beforeSignOut: (request) => dropTokens({ portal: base, deps: admin }, request) };
  registerFormParser(portal);

  portal.addHook("onRequest", async (_request, reply) => {
    reply.header("content-security-policy", CONTENT_SECURITY_POLICY);
    reply.header("x-frame-options", "DENY");
    reply.header("referrer-policy", "no-referrer");
    reply.header("x-content-type-options", "nosniff");
    reply.header("cross-origin-opener-policy", "same-origin");
    // Pages carry codes, CSRF tokens and account names: never cache them (static files override).
    reply.header("cache-control", "no-store");
  });

  const refuse = (request: FastifyRequest, reply: FastifyReply, status: number, message: string) =>
    wantsJson(request)
      ? reply.code(status).send({ error: message })
      : reply
          .code(status)
          .type("text/html; charset=utf-8")
          .send(errorPage(prefix, titleFor(status), message));
  registerPostChecks(portal, ctx, refuse);

  portal.setErrorHandler((error: FastifyError, request, reply) => {
    const status = isHostpassError(error)
      ? STATUS_BY_KIND[error.kind]
      : error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
        ? error.statusCode
        : 500;
    if (status === 503 && isHostpassError(error)) {
      // The store unreachable or full: "not now", with the stable code, never "your sign-in expired".
      request.log.warn({ code: error.code, err: error }, "portal request failed: service unavailable");
      reply.header("retry-after", "1");
      const text = publicMessageOf(error);
      return refuse(request, reply, 503, `${text.charAt(0).toUpperCase()}${text.slice(1)}. (${error.code})`);
    }
    if (status >= 500) request.log.error({ err: error }, "portal request failed");
    const message =
      status >= 500
        ? "Something went wrong on our side. Try again in a moment."
        : isHostpassError(error)
          ? error.message
          : "The request could not be processed.";
    return refuse(request, reply, status, message);
  });

  portal.get<{ Params: { file: string } }>("/portal/static/:file", async (request, reply) => {
    const file = STATIC_FILES.get(request.params.file);
    if (file === undefined) return refuse(request, reply, 404, "Not found.");
    return reply.header("cache-control", "public, max-age=300").type(file.type).send(file.body);
  });

  registerSignInRoutes(portal, ctx, refuse);
  registerFederatedSignInRoutes(portal, ctx, refuse);
  registerInteractionRoutes(portal, ctx, refuse);
  registerPasskeySignInRoutes(portal, ctx);
  registerSecurityRoutes(portal, ctx, refuse);
  registerPasswordRoutes(portal, ctx, refuse);
  registerDeviceRoutes(portal, ctx, refuse);
  if (admin !== undefined) registerAdmin(portal, ctx, admin, refuse);
}

function titleFor(status: number): string {
  if (status === 403) return "Request refused";
  if (status === 404) return "Not found";
  if (status === 429) return "Too many attempts";
  if (status >= 500) return "Something went wrong";
  return "Something went wrong";
}
