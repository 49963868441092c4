import { Type } from "@fastify/type-provider-typebox";
import { getUser, setUserEnabled, setUserPassword } from "../../../directory/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, ObjectId, toUserDto, UserDto } from "./dto.ts";

const Body = Type.Object(
  {
    accountEnabled: Type.Optional(Type.Boolean()),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

/**
 * `hostpass ad user update --account-enabled false | --password P`: a disabled user's tokens stop
 * working at once; a new password is checked by the directory's password rules.
 */
export function registerPatchUser(app: App, deps: RouteDeps): void {
  app.patch(
    "/directory/users/:userId",
    {
      config: { permission: { action: "Directory/users/write", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "Users_Update",
        tags: ["Directory"],
        summary: "Enable or disable a user, or set its password",
        params: Type.Object({ userId: ObjectId }, { additionalProperties: false }),
        body: Body,
        response: { 200: UserDto },
      },
    },
    async (request) => {
      const userId = request.params.userId.toLowerCase();
      const { tenantId } = principalOf(request);
      const { accountEnabled, password } = request.body;
      request.auditTarget = userId;
      if (password !== undefined) await setUserPassword(deps.directory, tenantId, userId, password);
      if (accountEnabled !== undefined)
        await setUserEnabled(deps.directory, tenantId, userId, accountEnabled);
      return toUserDto(await getUser(deps.directory, tenantId, userId));
    },
  );
}
