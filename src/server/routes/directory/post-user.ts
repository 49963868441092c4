import { Type } from "@fastify/type-provider-typebox";
import { createUser } from "../../../directory/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, toUserDto, UserDto } from "./dto.ts";

const Body = Type.Object(
  {
    userPrincipalName: Type.String({ minLength: 3, maxLength: 256 }),
    displayName: Type.String({ minLength: 1, maxLength: 256 }),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    accountEnabled: Type.Optional(Type.Boolean()),
    linuxName: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  },
  { additionalProperties: false },
);

/** `hostpass ad user create`. */
export function registerPostUser(app: App, deps: RouteDeps): void {
  app.post(
    "/directory/users",
    {
      config: { permission: { action: "Directory/users/write", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "Users_Create",
        tags: ["Directory"],
        summary: "Create a user",
        body: Body,
        response: { 201: UserDto },
      },
    },
    async (request, reply) => {
      const { userPrincipalName, displayName, password, accountEnabled, linuxName } = request.body;
      const tenantId = principalOf(request).tenantId;
      const input = {
        tenantId,
        upn: userPrincipalName,
        displayName,
        password,
        enabled: accountEnabled,
        linuxName,
      };
      const user = await createUser(deps.directory, input);
      request.auditTarget = user.id;
      return reply.code(201).send(toUserDto(user));
    },
  );
}
