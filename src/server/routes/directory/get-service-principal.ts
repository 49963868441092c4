import { Type } from "@fastify/type-provider-typebox";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, ObjectId, ServicePrincipalDto, toServicePrincipalDto } from "./dto.ts";
import { principalOfKind } from "./lib/principal-of-kind.ts";

/** `hostpass ad sp show`. */
export function registerGetServicePrincipal(app: App, deps: RouteDeps): void {
  app.get(
    "/directory/servicePrincipals/:servicePrincipalId",
    {
      config: { permission: { action: "Directory/servicePrincipals/read", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "ServicePrincipals_Get",
        tags: ["Directory"],
        summary: "Show a service principal",
        params: Type.Object({ servicePrincipalId: ObjectId }, { additionalProperties: false }),
        response: { 200: ServicePrincipalDto },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const sp = await principalOfKind(
        deps.directory,
        tenantId,
        request.params.servicePrincipalId,
        "servicePrincipal",
      );
      return toServicePrincipalDto(sp);
    },
  );
}
