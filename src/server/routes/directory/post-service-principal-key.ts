import { Type } from "@fastify/type-provider-typebox";
import { addCertificateCredential } from "../../../directory/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, ObjectId } from "./dto.ts";

const Body = Type.Object(
  {
    publicKeyJwk: Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 4096 }), {
      maxProperties: 16,
      description: "the public key (EC, OKP or RSA); private members are refused",
    }),
    years: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 2, description: "lifetime in years (default: no end)" }),
    ),
  },
  { additionalProperties: false },
);
const Key = Type.Object(
  { keyId: Type.String(), thumbprint: Type.String(), endDateTime: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
const YEAR_MS = 365 * 24 * 3600 * 1000;

/**
 * `hostpass ad sp credential add-key`: a public key the application signs its private_key_jwt
 * client assertions with (e.g. another hostpass's `idp show --query signingKey.publicJwk`).
 */
export function registerPostServicePrincipalKey(app: App, deps: RouteDeps): void {
  app.post(
    "/directory/servicePrincipals/:servicePrincipalId/keys",
    {
      config: {
        permission: { action: "Directory/servicePrincipals/credentials/write", scope: DIRECTORY_SCOPE },
      },
      schema: {
        operationId: "ServicePrincipalKeys_Add",
        tags: ["Directory"],
        summary: "Add a public key for private_key_jwt client authentication",
        params: Type.Object({ servicePrincipalId: ObjectId }, { additionalProperties: false }),
        body: Body,
        response: { 201: Key },
      },
    },
    async (request, reply) => {
      const principalId = request.params.servicePrincipalId.toLowerCase();
      const years = request.body.years;
      const expiresAt = years === undefined ? undefined : new Date(Date.now() + years * YEAR_MS);
      request.auditTarget = principalId;
      const added = await inChange(request, deps, async (tx, note) => {
        const credential = await addCertificateCredential(tx.directory, {
          tenantId: principalOf(request).tenantId,
          principalId,
          publicKeyJwk: request.body.publicKeyJwk,
          ...(expiresAt === undefined ? {} : { expiresAt }),
        });
        note(principalId, { keyId: credential.id, thumbprint: credential.thumbprint });
        return credential;
      });
      return reply.code(201).send({
        keyId: added.id,
        thumbprint: added.thumbprint,
        ...(added.expiresAt === undefined ? {} : { endDateTime: added.expiresAt.toISOString() }),
      });
    },
  );
}
