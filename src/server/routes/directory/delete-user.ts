import { Type } from "@fastify/type-provider-typebox";
import { deleteUser } from "../../../directory/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, ObjectId } from "./dto.ts";

/** `hostpass ad user delete`: the uid is never handed out again. */
export function registerDeleteUser(app: App, deps: RouteDeps): void {
  app.delete(
    "/directory/users/:userId",
    {
      config: { permission: { action: "Directory/users/delete", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "Users_Delete",
        tags: ["Directory"],
        summary: "Delete a user",
        params: Type.Object({ userId: ObjectId }, { additionalProperties: false }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      request.auditTarget = request.params.userId;
      await deleteUser(deps.directory, principalOf(request).tenantId, request.params.userId.toLowerCase());
      return reply.code(204).send(null);
    },
  );
}
