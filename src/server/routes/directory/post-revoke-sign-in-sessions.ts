import { Type } from "@fastify/type-provider-typebox";
import type { SignInKind } from "../../../directory/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { endSignInSessions, revokedForAudit } from "../../lib/sessions.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, ObjectId } from "./dto.ts";
import { userByIdOrUpn } from "./lib/user-by-id-or-upn.ts";

const Revoked = Type.Object(
  {
    value: Type.Boolean({ description: "true: every token issued before now is void" }),
    signInSessionsValidFromDateTime: Type.String(),
    certificatesRevoked: Type.Integer({ description: "certificates still valid that were revoked" }),
  },
  { additionalProperties: false },
);

const ROUTES: readonly { kind: SignInKind; collection: string; operationId: string }[] = [
  { kind: "user", collection: "users", operationId: "Users_RevokeSignInSessions" },
  {
    kind: "servicePrincipal",
    collection: "servicePrincipals",
    operationId: "ServicePrincipals_RevokeSignInSessions",
  },
];

/**
 * `hostpass ad user|sp revoke-sign-in-sessions` (Microsoft Graph's revokeSignInSessions): every
 * token the principal holds is void at once (refresh tokens, API and Linux VM Sign-In tokens,
 * browser sessions) and its certificates are revoked; it stays enabled and signs in afresh.
 */
export function registerPostRevokeSignInSessions(app: App, deps: RouteDeps): void {
  for (const route of ROUTES) {
    app.post(
      `/directory/${route.collection}/:principal/revokeSignInSessions`,
      {
        config: {
          permission: {
            action: `Directory/${route.collection}/revokeSignInSessions/action`,
            scope: DIRECTORY_SCOPE,
          },
        },
        schema: {
          operationId: route.operationId,
          tags: ["Directory"],
          summary: `End every sign-in session of a ${route.kind === "user" ? "user" : "service principal"}`,
          params: Type.Object(
            // Users by object id or UPN, as az names them; service principals by object id.
            { principal: route.kind === "user" ? Type.String({ minLength: 1, maxLength: 256 }) : ObjectId },
            { additionalProperties: false },
          ),
          response: { 200: Revoked },
        },
      },
      async (request) => {
        const tenantId = principalOf(request).tenantId;
        const named = request.params.principal;
        const id =
          route.kind === "user"
            ? (await userByIdOrUpn(deps.directory, tenantId, named)).id
            : named.toLowerCase();
        request.auditTarget = id;
        const ended = await inChange(request, deps, async (tx, note) => {
          const done = await endSignInSessions(tx, { tenantId, id, kind: route.kind });
          note(id, {
            signInSessionsValidFromDateTime: done.principal.sessionsValidFrom?.toISOString() ?? null,
            ...revokedForAudit(done.certificatesRevoked),
          });
          return done;
        });
        return {
          value: true,
          signInSessionsValidFromDateTime: ended.principal.sessionsValidFrom?.toISOString() ?? "",
          certificatesRevoked: ended.certificatesRevoked.length,
        };
      },
    );
  }
}
