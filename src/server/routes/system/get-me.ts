import { Type } from "@fastify/type-provider-typebox";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { principalOf } from "../../plugins/authenticate.ts";

const Me = Type.Object(
  {
    objectId: Type.String(),
    tenantId: Type.String(),
    type: Type.Union([
      Type.Literal("user"),
      Type.Literal("servicePrincipal"),
      Type.Literal("managedIdentity"),
    ]),
  },
  { additionalProperties: false },
);

/** Who the token says the caller is (what `hostpass account show` builds on). */
export function registerGetMe(app: App, _deps: RouteDeps): void {
  app.get(
    "/me",
    {
      config: { permission: "self" },
      schema: {
        operationId: "Me_Get",
        tags: ["Account"],
        summary: "The calling principal",
        response: { 200: Me },
      },
    },
    async (request) => principalOf(request),
  );
}
