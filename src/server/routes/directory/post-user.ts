import { Type } from "@fastify/type-provider-typebox";
import { createUser, hashPassword } from "../../../directory/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, toUserDto, UserDto } from "./dto.ts";

const Body = Type.Object(
  {
    userPrincipalName: Type.String({ minLength: 3, maxLength: 256 }),
    displayName: Type.String({ minLength: 1, maxLength: 256 }),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    accountEnabled: Type.Optional(Type.Boolean()),
    linuxName: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    /** The password is temporary: the user must choose their own at the first sign-in. */
    forceChangePasswordNextSignIn: Type.Optional(Type.Boolean()),
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
      const passwordChangeRequired = request.body.forceChangePasswordNextSignIn === true;
      const tenantId = principalOf(request).tenantId;
      // Hashed before the transaction: scrypt takes ~100 ms, too long to hold the write lock.
      const passwordHash = password === undefined ? undefined : await hashPassword(password);
      const input = {
        tenantId,
        upn: userPrincipalName,
        displayName,
        passwordHash,
        enabled: accountEnabled,
        linuxName,
        passwordChangeRequired,
      };
      const user = await inChange(request, deps, async (tx, note) => {
        const created = await createUser(tx.directory, input);
        note(created.id, {
          userPrincipalName: created.upn,
          displayName: created.displayName,
          accountEnabled: created.enabled,
          linuxName: created.linuxName,
          uid: created.uid,
          passwordSet: password !== undefined,
        });
        return created;
      });
      return reply.code(201).send(toUserDto(user));
    },
  );
}
