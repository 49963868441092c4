import { Type } from "@fastify/type-provider-typebox";
import { PrincipalNotFoundError, removeGroupMember } from "../../../directory/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, ObjectId } from "./dto.ts";

/** `hostpass ad group member remove`. */
export function registerDeleteGroupMember(app: App, deps: RouteDeps): void {
  app.delete(
    "/directory/groups/:groupId/members/:memberId",
    {
      config: { permission: { action: "Directory/groups/members/delete", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "GroupMembers_Remove",
        tags: ["Directory"],
        summary: "Remove a member from a group",
        params: Type.Object({ groupId: ObjectId, memberId: ObjectId }, { additionalProperties: false }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const groupId = request.params.groupId.toLowerCase();
      const memberId = request.params.memberId.toLowerCase();
      request.auditTarget = groupId;
      await inChange(request, deps, async (tx, note) => {
        const input = { tenantId: principalOf(request).tenantId, groupId, memberId };
        if (!(await removeGroupMember(tx.directory, input)))
          throw new PrincipalNotFoundError("membership not found");
        note(groupId, { memberId });
      });
      return reply.code(204).send(null);
    },
  );
}
