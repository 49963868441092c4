/**
 * Form bodies and the checks every POST passes before its handler runs: the CSRF token and,
 * when the browser says where the request comes from, the same origin.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { FederatedProviderView } from "../backend.ts";
import { continuePage } from "../views/layout.ts";
import type { PortalContext } from "./context.ts";

/** Forms are small; a passkey response is the largest (a few KiB). */
export const FORM_BODY_LIMIT = 64 * 1024;

/** Replaces the inherited parsers: portal POSTs are urlencoded forms and nothing else (415 otherwise). */
export function registerFormParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: FORM_BODY_LIMIT },
    (_request, body, done) => done(null, new URLSearchParams(body as string)),
  );
}

/** A form field; '' when absent. Only the first value counts. */
export function field(request: FastifyRequest, name: string): string {
  const body = request.body;
  return body instanceof URLSearchParams ? (body.get(name) ?? "") : "";
}

export function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return typeof accept === "string" && accept.includes("application/json") && !accept.includes("text/html");
}

export const CSRF_FAILED =
  "This page has expired or the request did not come from it. Go back, reload the page and try again.";

/** Refuses any POST without this browser's CSRF token, or sent from another origin or site. */
export function registerPostChecks(app: FastifyInstance, ctx: PortalContext, refuse: RefusePage): void {
  app.addHook("preHandler", async (request, reply) => {
    if (request.method !== "POST") return;
    const origin = request.headers.origin;
    const site = request.headers["sec-fetch-site"];
    // Referrer-Policy: no-referrer makes browsers send `Origin: null` on form POSTs, so the
    // reliable signal is Sec-Fetch-Site; the token is the check that holds when both are absent.
    const foreign =
      (typeof origin === "string" && origin !== "null" && !ctx.rp.origins.includes(origin)) ||
      (typeof site === "string" && site !== "same-origin");
    if (foreign || !ctx.csrf.check(request, field(request, "csrf"))) {
      request.log.warn({ origin, site }, "portal: POST refused (CSRF)");
      return refuse(request, reply, 403, CSRF_FAILED);
    }
  });
}

export type RefusePage = (
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
) => FastifyReply;

/**
 * Where a form POST ends. A portal path: 303. Anything else (oidc-provider's resume URL, which
 * redirects on to the client's redirect URI): a page that moves on by itself. The CSP's
 * `form-action 'self'` also covers every redirect that follows a form submission, and an OAuth
 * client's redirect URI (the CLI's loopback port) is another origin; a meta refresh is a new
 * navigation that form-action does not govern.
 */
export function continueTo(reply: FastifyReply, base: string, url: string): FastifyReply {
  if (/^\/(?![/\\])/.test(url)) return reply.redirect(url, 303);
  return sendPage(reply, 200, continuePage(base, url));
}

export function sendPage(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.code(status).type("text/html; charset=utf-8").send(page);
}

/** `?return=` and friends: Fastify gives an array for a repeated key; only a single string counts. */
export function queryString(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === "string" ? value : undefined;
}

/** The upstream providers the sign-in page offers (none when the backend has no federation). */
export async function offeredProviders(ctx: PortalContext): Promise<readonly FederatedProviderView[]> {
  return (await ctx.backend.listIdentityProviders?.()) ?? [];
}
