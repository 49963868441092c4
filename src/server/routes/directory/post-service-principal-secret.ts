import { Type } from "@fastify/type-provider-typebox";
import { addClientSecret } from "../../../directory/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, ObjectId } from "./dto.ts";

const Body = Type.Object(
  {
    years: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 2, description: "lifetime in years (default 1)" }),
    ),
  },
  { additionalProperties: false },
);
const Secret = Type.Object(
  { keyId: Type.String(), secretText: Type.String(), hint: Type.String(), endDateTime: Type.String() },
  { additionalProperties: false },
);
const YEAR_MS = 365 * 24 * 3600 * 1000;

/** `hostpass ad sp credential reset`: the secret is shown in this response only; the server keeps a hash. */
export function registerPostServicePrincipalSecret(app: App, deps: RouteDeps): void {
  app.post(
    "/directory/servicePrincipals/:servicePrincipalId/secrets",
    {
      config: {
        permission: { action: "Directory/servicePrincipals/credentials/write", scope: DIRECTORY_SCOPE },
      },
      schema: {
        operationId: "ServicePrincipalSecrets_Add",
        tags: ["Directory"],
        summary: "Add a client secret",
        params: Type.Object({ servicePrincipalId: ObjectId }, { additionalProperties: false }),
        body: Body,
        response: { 201: Secret },
      },
    },
    async (request, reply) => {
      const principalId = request.params.servicePrincipalId.toLowerCase();
      const expiresAt = new Date(Date.now() + (request.body.years ?? 1) * YEAR_MS);
      request.auditTarget = principalId;
      const { credential, secret } = await inChange(request, deps, async (tx, note) => {
        const added = await addClientSecret(tx.directory, {
          tenantId: principalOf(request).tenantId,
          principalId,
          expiresAt,
        });
        // Never the secret itself: its id, hint and expiry.
        const { id, hint } = added.credential;
        note(principalId, { keyId: id, hint, endDateTime: added.credential.expiresAt.toISOString() });
        return added;
      });
      return reply.code(201).send({
        keyId: credential.id,
        secretText: secret,
        hint: credential.hint,
        endDateTime: credential.expiresAt.toISOString(),
      });
    },
  );
}
