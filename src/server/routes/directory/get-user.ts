import { Type } from "@fastify/type-provider-typebox";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, toUserDto, UserDto } from "./dto.ts";
import { userByIdOrUpn } from "./lib/user-by-id-or-upn.ts";

/** `hostpass ad user show --id <object id or UPN>`. */
export function registerGetUser(app: App, deps: RouteDeps): void {
  app.get(
    "/directory/users/:user",
    {
      config: { permission: { action: "Directory/users/read", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "Users_Get",
        tags: ["Directory"],
        summary: "Show a user by object id or UPN",
        params: Type.Object(
          { user: Type.String({ minLength: 1, maxLength: 256 }) },
          { additionalProperties: false },
        ),
        response: { 200: UserDto },
      },
    },
    async (request) =>
      toUserDto(await userByIdOrUpn(deps.directory, principalOf(request).tenantId, request.params.user)),
  );
}
