import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { PageOf, PageQuery, pageRequest, pageResponse } from "../../lib/pagination.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { ResourceDto, toResourceDto } from "./dto.ts";
import { visibleTo } from "./lib/visible.ts";

/** `hostpass account list`: the subscriptions the caller may read. */
export function registerListSubscriptions(app: App, deps: RouteDeps): void {
  app.get(
    "/subscriptions",
    {
      config: { permission: "self" }, // filtered per item below
      schema: {
        operationId: "Subscriptions_List",
        tags: ["Resources"],
        summary: "List subscriptions",
        querystring: PageQuery,
        response: { 200: PageOf(ResourceDto) },
      },
    },
    async (request) => {
      const page = await deps.resources.listByKind(
        principalOf(request).tenantId,
        "subscription",
        pageRequest(request.query),
      );
      const items = await visibleTo(deps, request, "Resources/subscriptions/read", page.items, {
        within: true,
      });
      return pageResponse(request, { items, nextCursor: page.nextCursor }, toResourceDto);
    },
  );
}
