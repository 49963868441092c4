import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { PageOf, PageQuery, pageRequest, pageResponse } from "../../lib/pagination.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { ResourceDto, toResourceDto } from "./dto.ts";
import { visibleTo } from "./lib/visible.ts";

/** `hostpass account management-group list`: the groups the caller may read. */
export function registerListManagementGroups(app: App, deps: RouteDeps): void {
  app.get(
    "/providers/Management/managementGroups",
    {
      config: { permission: "self" }, // filtered per item below
      schema: {
        operationId: "ManagementGroups_List",
        tags: ["Resources"],
        summary: "List management groups",
        querystring: PageQuery,
        response: { 200: PageOf(ResourceDto) },
      },
    },
    async (request) => {
      const page = await deps.resources.listByKind(
        principalOf(request).tenantId,
        "managementGroup",
        pageRequest(request.query),
      );
      const items = await visibleTo(deps, request, "Management/managementGroups/read", page.items);
      return pageResponse(request, { items, nextCursor: page.nextCursor }, toResourceDto);
    },
  );
}
