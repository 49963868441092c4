import { Type } from "@fastify/type-provider-typebox";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, ObjectId } from "./dto.ts";
import { deletePrincipalOfKind } from "./lib/principal-of-kind.ts";

/** `hostpass ad group delete`. */
export function registerDeleteGroup(app: App, deps: RouteDeps): void {
  app.delete(
    "/directory/groups/:groupId",
    {
      config: { permission: { action: "Directory/groups/delete", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "Groups_Delete",
        tags: ["Directory"],
        summary: "Delete a group",
        params: Type.Object({ groupId: ObjectId }, { additionalProperties: false }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      request.auditTarget = request.params.groupId;
      await inChange(request, deps, async (tx, note) => {
        const gone = await deletePrincipalOfKind(
          tx.directory,
          principalOf(request).tenantId,
          request.params.groupId,
          "group",
        );
        note(gone.id, { displayName: gone.displayName });
      });
      return reply.code(204).send(null);
    },
  );
}
