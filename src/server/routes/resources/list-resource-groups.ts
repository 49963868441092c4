import { Type } from "@fastify/type-provider-typebox";
import { listChildren, requireResource } from "../../../resources/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { PageOf, PageQuery, pageRequest, pageResponse } from "../../lib/pagination.ts";
import { NameParam } from "../../lib/scopes.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { ResourceDto, toResourceDto } from "./dto.ts";
import { inTenant } from "./lib/in-tenant.ts";
import { SUBSCRIPTION } from "./lib/tree-kinds.ts";

/** `hostpass group list`: the resource groups of a subscription. */
export function registerListResourceGroups(app: App, deps: RouteDeps): void {
  app.get(
    "/subscriptions/:subscriptionId/resourceGroups",
    {
      config: {
        permission: { action: "Resources/subscriptions/resourceGroups/read", scope: SUBSCRIPTION.id },
      },
      schema: {
        operationId: "ResourceGroups_List",
        tags: ["Resources"],
        summary: "List resource groups",
        params: Type.Object(
          { subscriptionId: NameParam("subscription id") },
          { additionalProperties: false },
        ),
        querystring: PageQuery,
        response: { 200: PageOf(ResourceDto) },
      },
    },
    async (request) => {
      const sub = inTenant(
        await requireResource(deps.resources, SUBSCRIPTION.id(request), "subscription"),
        principalOf(request).tenantId,
      );
      const page = await listChildren(deps.resources, sub.id, pageRequest(request.query), "resourceGroup");
      return pageResponse(request, page, toResourceDto);
    },
  );
}
