import type { IncomingMessage, ServerResponse } from "node:http";
import type { App } from "../app.ts";
import { applySecurityHeaders } from "../plugins/security-headers.ts";
import type { PublicUrl } from "../public-url.ts";

/** Discovery and the key set: public, credential-free documents any origin may read. */
const OPEN_DOCUMENT = /\/(?:\.well-known\/[a-z-]+|jwks)(?:\?.*)?$/;

/**
 * Hands every request under `mountPath` to the authorization server's own Node handler, before
 * Fastify parses anything: oidc-provider reads the raw body and writes the raw response itself.
 *
 * oidc-provider builds every URL it publishes (discovery, `verification_uri`, redirects) from the
 * request's host and scheme, so the request is first rewritten to name the configured public URL
 * (`X-Forwarded-Host`/`-Proto`, the provider trusting them), whatever `Host` the caller sent, and
 * `X-Forwarded-For` is set to the client address Fastify determined (which honours
 * `--trusted-proxy` only). Its CORS headers reflect any `Origin`; only the open documents keep a
 * non-reflecting `*`.
 */
export function mountOAuth(
  app: App,
  mountPath: string,
  handler: () => ((req: IncomingMessage, res: ServerResponse) => void) | undefined,
  publicUrl: () => PublicUrl | undefined,
): void {
  app.addHook("onRequest", async (request, reply) => {
    const url = request.raw.url ?? "/";
    if (!(url === mountPath || url.startsWith(`${mountPath}/`) || url.startsWith(`${mountPath}?`))) return;
    const handle = handler();
    const base = publicUrl();
    if (handle === undefined || base === undefined) {
      // Not started yet (the issuer is the listening URL): a moment later it will be.
      return reply.code(503).header("retry-after", "1").send({ error: "temporarily_unavailable" });
    }
    reply.hijack();
    const raw = request.raw;
    raw.headers["x-forwarded-host"] = base.host;
    raw.headers["x-forwarded-proto"] = base.protocol.slice(0, -1);
    raw.headers["x-forwarded-for"] = request.ip;
    const open = (request.method === "GET" || request.method === "HEAD") && OPEN_DOCUMENT.test(url);
    filterCors(reply.raw, open);
    applySecurityHeaders(reply.raw, base.protocol === "https:");
    reply.raw.setHeader("x-request-id", request.id);
    handle(raw, reply.raw);
  });
}

function filterCors(res: ServerResponse, open: boolean): void {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name: string, value: number | string | readonly string[]) => {
    const lower = name.toLowerCase();
    if (!lower.startsWith("access-control-")) return setHeader(name, value);
    if (open && lower === "access-control-allow-origin") return setHeader(name, "*");
    return res;
  };
}
