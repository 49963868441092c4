import type { Group } from "../../../directory/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { PageOf, pageRequest, pageResponse, SearchPageQuery } from "../../lib/pagination.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, GroupDto, toGroupDto } from "./dto.ts";

/** `hostpass ad group list`. */
export function registerListGroups(app: App, deps: RouteDeps): void {
  app.get(
    "/directory/groups",
    {
      config: { permission: { action: "Directory/groups/read", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "Groups_List",
        tags: ["Directory"],
        summary: "List groups",
        querystring: SearchPageQuery,
        response: { 200: PageOf(GroupDto) },
      },
    },
    async (request) => {
      const page = await deps.directory.listPrincipals(
        principalOf(request).tenantId,
        "group",
        pageRequest(request.query),
        { search: request.query.search },
      );
      return pageResponse(request, page, (p) => toGroupDto(p as Group));
    },
  );
}
