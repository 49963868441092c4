import { Type } from "@fastify/type-provider-typebox";
import type { App } from "../../app.ts";
import type { HostAgentServices } from "../../deps.ts";

/**
 * The KRL hosts keep (`RevokedKeys`): binary, `ETag` = its sha256 in hex (what the host channel's
 * `krlSha256` names). Any authenticated caller may read it (a host agent with its machine's
 * identity, an administrator checking a revocation).
 */
export function registerGetKrl(app: App, host: HostAgentServices): void {
  app.get(
    "/ssh/krl",
    {
      config: { permission: "self" },
      schema: {
        operationId: "Ssh_GetKrl",
        tags: ["SSH"],
        summary: "The key revocation list (OpenSSH KRL) hosts enforce",
        produces: ["application/octet-stream"],
        response: {
          200: Type.Unsafe<Buffer>({ type: "string", format: "binary", description: "an OpenSSH KRL" }),
          304: Type.Null({ description: "not modified (If-None-Match matched the ETag)" }),
        },
      },
    },
    async (request, reply) => {
      const krl = await host.krl();
      const etag = `"${krl.sha256}"`;
      reply.header("etag", etag);
      if (request.headers["if-none-match"] === etag) return reply.code(304).send(null);
      return reply.type("application/octet-stream").send(Buffer.from(krl.bytes));
    },
  );
}
