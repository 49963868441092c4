import { Type } from "@fastify/type-provider-typebox";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, GroupDto, ObjectId, toGroupDto } from "./dto.ts";
import { principalOfKind } from "./lib/principal-of-kind.ts";

/** `hostpass ad group show`. */
export function registerGetGroup(app: App, deps: RouteDeps): void {
  app.get(
    "/directory/groups/:groupId",
    {
      config: { permission: { action: "Directory/groups/read", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "Groups_Get",
        tags: ["Directory"],
        summary: "Show a group",
        params: Type.Object({ groupId: ObjectId }, { additionalProperties: false }),
        response: { 200: GroupDto },
      },
    },
    async (request) =>
      toGroupDto(
        await principalOfKind(deps.directory, principalOf(request).tenantId, request.params.groupId, "group"),
      ),
  );
}
