import type { IncomingMessage, ServerResponse } from "node:http";
import type { App } from "../app.ts";

/**
 * Hands every request under `mountPath` to the authorization server's own Node handler, before
 * Fastify parses anything: oidc-provider reads the raw body and writes the raw response itself.
 */
export function mountOAuth(
  app: App,
  mountPath: string,
  handler: () => ((req: IncomingMessage, res: ServerResponse) => void) | undefined,
  https: boolean,
): void {
  app.addHook("onRequest", async (request, reply) => {
    const url = request.raw.url ?? "/";
    if (!(url === mountPath || url.startsWith(`${mountPath}/`) || url.startsWith(`${mountPath}?`))) return;
    const handle = handler();
    if (handle === undefined) {
      // Not started yet (the issuer is the listening URL): a moment later it will be.
      return reply.code(503).header("retry-after", "1").send({ error: "temporarily_unavailable" });
    }
    reply.hijack();
    if (https) reply.raw.setHeader("strict-transport-security", "max-age=31536000");
    reply.raw.setHeader("x-request-id", request.id);
    handle(request.raw, reply.raw);
  });
}
