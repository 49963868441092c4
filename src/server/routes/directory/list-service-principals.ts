import type { ServicePrincipal } from "../../../directory/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { PageOf, pageRequest, pageResponse, SearchPageQuery } from "../../lib/pagination.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, ServicePrincipalDto, toServicePrincipalDto } from "./dto.ts";

/** `hostpass ad sp list`. */
export function registerListServicePrincipals(app: App, deps: RouteDeps): void {
  app.get(
    "/directory/servicePrincipals",
    {
      config: { permission: { action: "Directory/servicePrincipals/read", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "ServicePrincipals_List",
        tags: ["Directory"],
        summary: "List service principals",
        querystring: SearchPageQuery,
        response: { 200: PageOf(ServicePrincipalDto) },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const page = await deps.directory.listPrincipals(
        tenantId,
        "servicePrincipal",
        pageRequest(request.query),
        { search: request.query.search },
      );
      return pageResponse(request, page, (p) => toServicePrincipalDto(p as ServicePrincipal));
    },
  );
}
