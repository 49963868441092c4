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
    /** The caller's own directory entry (what `hostpass ad signed-in-user show` and the portal show). */
    displayName: Type.Optional(Type.String()),
    userPrincipalName: Type.Optional(Type.String()),
    tenantDisplayName: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** Who the token says the caller is (what `hostpass account show` builds on), with its names. */
export function registerGetMe(app: App, deps: RouteDeps): void {
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
    async (request) => {
      const principal = principalOf(request);
      const [tenant, entry] = await Promise.all([
        deps.directory.getTenant(principal.tenantId),
        deps.directory.getPrincipal(principal.tenantId, principal.objectId),
      ]);
      return {
        ...principal,
        ...(entry === undefined ? {} : { displayName: entry.displayName }),
        ...(entry?.kind === "user" ? { userPrincipalName: entry.upn } : {}),
        ...(tenant === undefined ? {} : { tenantDisplayName: tenant.displayName }),
      };
    },
  );
}
