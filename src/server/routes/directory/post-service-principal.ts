import { Type } from "@fastify/type-provider-typebox";
import { createServicePrincipal } from "../../../directory/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, ObjectId, ServicePrincipalDto, toServicePrincipalDto } from "./dto.ts";

const Body = Type.Object(
  { displayName: Type.String({ minLength: 1, maxLength: 256 }), appId: Type.Optional(ObjectId) },
  { additionalProperties: false },
);

/** `hostpass ad sp create`: its Linux name comes from the immutable app id, never the display name. */
export function registerPostServicePrincipal(app: App, deps: RouteDeps): void {
  app.post(
    "/directory/servicePrincipals",
    {
      config: { permission: { action: "Directory/servicePrincipals/write", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "ServicePrincipals_Create",
        tags: ["Directory"],
        summary: "Create a service principal",
        body: Body,
        response: { 201: ServicePrincipalDto },
      },
    },
    async (request, reply) => {
      const sp = await inChange(request, deps, async (tx, note) => {
        const created = await createServicePrincipal(tx.directory, {
          tenantId: principalOf(request).tenantId,
          ...request.body,
        });
        const { displayName, appId, linuxName, uid } = created;
        note(created.id, { displayName, appId, linuxName, uid });
        return created;
      });
      return reply.code(201).send(toServicePrincipalDto(sp));
    },
  );
}
