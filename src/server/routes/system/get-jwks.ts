import { type Static, Type } from "@fastify/type-provider-typebox";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";

const Jwk = Type.Object({
  kty: Type.String(),
  crv: Type.String(),
  x: Type.String(),
  y: Type.Optional(Type.String()),
  kid: Type.String(),
  alg: Type.String(),
  use: Type.String(),
});
const Jwks = Type.Object({ keys: Type.Array(Jwk) });

/**
 * The public keys that verify the API's access tokens (RFC 7517): the authorization server's
 * signing keys, the same set as its own `jwks_uri`. Public by nature.
 */
export function registerGetJwks(app: App, deps: RouteDeps): void {
  app.get(
    "/.well-known/jwks.json",
    {
      config: { public: true },
      schema: {
        operationId: "Jwks_Get",
        tags: ["Discovery"],
        summary: "Token-signing keys",
        response: { 200: Jwks },
      },
    },
    async () => ({ keys: deps.trust().keys.map((key) => ({ ...key }) as Static<typeof Jwk>) }),
  );
}
