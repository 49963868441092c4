import { Type } from "@fastify/type-provider-typebox";
import type { ServicePrincipal, User } from "../../../directory/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { ServicePrincipalDto, toServicePrincipalDto, toUserDto, UserDto } from "./dto.ts";
import { principalOfKind } from "./lib/principal-of-kind.ts";

/** `hostpass ad signed-in-user show`: the caller's own directory object (no directory read role needed). */
export function registerGetSignedInUser(app: App, deps: RouteDeps): void {
  app.get(
    "/directory/me",
    {
      config: { permission: "self" },
      schema: {
        operationId: "SignedInUser_Get",
        tags: ["Directory"],
        summary: "The calling user or service principal",
        response: { 200: Type.Union([UserDto, ServicePrincipalDto]) },
      },
    },
    async (request) => {
      const { tenantId, objectId, type } = principalOf(request);
      if (type === "user")
        return toUserDto((await principalOfKind(deps.directory, tenantId, objectId, "user")) as User);
      const sp = await principalOfKind(deps.directory, tenantId, objectId, "servicePrincipal");
      return toServicePrincipalDto(sp as ServicePrincipal);
    },
  );
}
