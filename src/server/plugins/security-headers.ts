/**
 * Security headers on every response the server writes (issue 11 item 9): the API, the CA routes
 * and the portal through Fastify's `onSend`, the authorization server on its raw response before
 * oidc-provider writes. A header already set is kept: the portal's page policy (set on its
 * requests) and oidc-provider's for the pages it renders (pages.ts) are stricter where they differ.
 */
import type { FastifyInstance } from "fastify";

/** What no response of ours needs: to be framed, sniffed, to leak its URL, to share a window. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  // JSON and redirects load nothing; pages that do (the portal, the OAuth pages) set their own.
  "content-security-policy":
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "cross-origin-opener-policy": "same-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
});

/** One year; only sent over HTTPS (RFC 6797 §7.2: ignored on plain HTTP anyway). */
export const STRICT_TRANSPORT_SECURITY = "max-age=31536000";

interface HeaderTarget {
  hasHeader(name: string): boolean;
  setHeader(name: string, value: string): unknown;
}

/** Sets every header the target (a Fastify reply's, or a raw Node response) does not have yet. */
export function applySecurityHeaders(target: HeaderTarget, https: boolean): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    if (!target.hasHeader(name)) target.setHeader(name, value);
  }
  if (https && !target.hasHeader("strict-transport-security")) {
    target.setHeader("strict-transport-security", STRICT_TRANSPORT_SECURITY);
  }
}

/** For every response Fastify sends (404s and framework errors included). */
export function registerSecurityHeaders(app: FastifyInstance, https: boolean): void {
  app.addHook("onSend", async (_request, reply) => {
    applySecurityHeaders(
      { hasHeader: (name) => reply.hasHeader(name), setHeader: (name, value) => reply.header(name, value) },
      https,
    );
  });
}
