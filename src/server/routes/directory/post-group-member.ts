import { Type } from "@fastify/type-provider-typebox";
import { addGroupMember } from "../../../directory/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, ObjectId } from "./dto.ts";

/** `hostpass ad group member add`: any principal, groups included (nesting; cycles are refused). */
export function registerPostGroupMember(app: App, deps: RouteDeps): void {
  app.post(
    "/directory/groups/:groupId/members",
    {
      config: { permission: { action: "Directory/groups/members/write", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "GroupMembers_Add",
        tags: ["Directory"],
        summary: "Add a member to a group",
        params: Type.Object({ groupId: ObjectId }, { additionalProperties: false }),
        body: Type.Object({ memberId: ObjectId }, { additionalProperties: false }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const groupId = request.params.groupId.toLowerCase();
      const memberId = request.body.memberId.toLowerCase();
      request.auditTarget = groupId;
      await inChange(request, deps, async (tx, note) => {
        await addGroupMember(tx.directory, { tenantId: principalOf(request).tenantId, groupId, memberId });
        note(groupId, { memberId });
      });
      return reply.code(204).send(null);
    },
  );
}
