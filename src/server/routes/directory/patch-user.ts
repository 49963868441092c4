import { Type } from "@fastify/type-provider-typebox";
import { setUserEnabled } from "../../../directory/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, ObjectId, toUserDto, UserDto } from "./dto.ts";

/** `hostpass ad user update --account-enabled false`: a disabled user's tokens stop working at once. */
export function registerPatchUser(app: App, deps: RouteDeps): void {
  app.patch(
    "/directory/users/:userId",
    {
      config: { permission: { action: "Directory/users/write", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "Users_Update",
        tags: ["Directory"],
        summary: "Enable or disable a user",
        params: Type.Object({ userId: ObjectId }, { additionalProperties: false }),
        body: Type.Object({ accountEnabled: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: UserDto },
      },
    },
    async (request) => {
      const { userId } = request.params;
      request.auditTarget = userId;
      const user = await setUserEnabled(
        deps.directory,
        principalOf(request).tenantId,
        userId.toLowerCase(),
        request.body.accountEnabled,
      );
      return toUserDto(user);
    },
  );
}
