import { Type } from "@fastify/type-provider-typebox";
import { getUser, hashPassword, PrincipalNotFoundError, type User } from "../../../directory/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { revokedForAudit, setEnabledEndingSessions } from "../../lib/sessions.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, ObjectId, toUserDto, UserDto } from "./dto.ts";

const Body = Type.Object(
  {
    accountEnabled: Type.Optional(Type.Boolean()),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    /** With `password`: it is temporary, the user must choose their own at the next sign-in. */
    forceChangePasswordNextSignIn: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

/**
 * `hostpass ad user update --account-enabled false | --password P [--force-change-password-next-sign-in]`:
 * a disabled user's tokens stop working at once, its certificates are revoked, and enabling it
 * again brings neither back (lib/sessions.ts); a new password is checked by the directory's
 * password rules, and may be one the user must replace at the next sign-in.
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
      const id = request.params.userId.toLowerCase();
      const tenantId = principalOf(request).tenantId;
      const { accountEnabled, password, forceChangePasswordNextSignIn } = request.body;
      const changeRequired = forceChangePasswordNextSignIn === true;
      request.auditTarget = id;
      // Hashed before the transaction: scrypt takes ~100 ms, too long to hold the write lock.
      const passwordHash = password === undefined ? undefined : await hashPassword(password);
      const user = await inChange(request, deps, async (tx, note) => {
        const before = await getUser(tx.directory, tenantId, id);
        if (
          passwordHash !== undefined &&
          !(await tx.directory.setPasswordHash(tenantId, id, passwordHash, changeRequired))
        )
          throw new PrincipalNotFoundError("user not found");
        const ended =
          accountEnabled === undefined
            ? undefined
            : await setEnabledEndingSessions(tx, { tenantId, id, kind: "user", enabled: accountEnabled });
        const after = (ended?.principal as User | undefined) ?? before;
        const changed = {
          ...(accountEnabled === undefined
            ? {}
            : { accountEnabled: { from: before.enabled, to: after.enabled } }),
          // The fact only: never the password or its hash.
          ...(password === undefined ? {} : { password: "set", passwordChangeRequired: changeRequired }),
        };
        note(id, { changed, ...revokedForAudit(ended?.certificatesRevoked ?? []) });
        return after;
      });
      return toUserDto(user);
    },
  );
}
