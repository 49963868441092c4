import { Type } from "@fastify/type-provider-typebox";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { PageOf, PageQuery, pageRequest, pageResponse } from "../../lib/pagination.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, DirectoryObjectDto, ObjectId, toDirectoryObjectDto } from "./dto.ts";
import { principalOfKind } from "./lib/principal-of-kind.ts";

/** `hostpass ad group member list`: direct members. */
export function registerListGroupMembers(app: App, deps: RouteDeps): void {
  app.get(
    "/directory/groups/:groupId/members",
    {
      config: { permission: { action: "Directory/groups/read", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "GroupMembers_List",
        tags: ["Directory"],
        summary: "List a group's direct members",
        params: Type.Object({ groupId: ObjectId }, { additionalProperties: false }),
        querystring: PageQuery,
        response: { 200: PageOf(DirectoryObjectDto) },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const group = await principalOfKind(deps.directory, tenantId, request.params.groupId, "group");
      const page = await deps.directory.listGroupMembers(tenantId, group.id, pageRequest(request.query));
      return pageResponse(request, page, toDirectoryObjectDto);
    },
  );
}
