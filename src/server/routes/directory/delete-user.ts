import { Type } from "@fastify/type-provider-typebox";
import { deleteUser, getUser } from "../../../directory/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
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
      const tenantId = principalOf(request).tenantId;
      const id = request.params.userId.toLowerCase();
      request.auditTarget = id;
      await inChange(request, deps, async (tx, note) => {
        const user = await getUser(tx.directory, tenantId, id);
        await deleteUser(tx.directory, tenantId, id);
        note(id, { userPrincipalName: user.upn, linuxName: user.linuxName, uid: user.uid });
      });
      return reply.code(204).send(null);
    },
  );
}
