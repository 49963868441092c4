import { Type } from "@fastify/type-provider-typebox";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, ObjectId } from "./dto.ts";
import { deletePrincipalOfKind } from "./lib/principal-of-kind.ts";

/** `hostpass ad sp delete`: its credentials go with it. */
export function registerDeleteServicePrincipal(app: App, deps: RouteDeps): void {
  app.delete(
    "/directory/servicePrincipals/:servicePrincipalId",
    {
      config: { permission: { action: "Directory/servicePrincipals/delete", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "ServicePrincipals_Delete",
        tags: ["Directory"],
        summary: "Delete a service principal",
        params: Type.Object({ servicePrincipalId: ObjectId }, { additionalProperties: false }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const id = request.params.servicePrincipalId;
      request.auditTarget = id;
      await inChange(request, deps, async (tx, note) => {
        const gone = await deletePrincipalOfKind(
          tx.directory,
          principalOf(request).tenantId,
          id,
          "servicePrincipal",
        );
        note(gone.id, { displayName: gone.displayName });
      });
      return reply.code(204).send(null);
    },
  );
}
