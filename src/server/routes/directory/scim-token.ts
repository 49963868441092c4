/**
 * The tenant's SCIM bearer token (issue 13): `POST` makes a new one and shows it once (the old
 * one stops working in the same transaction: rotation), `GET` shows its id, hint and creation
 * time, `DELETE` ends SCIM provisioning. Only the SHA-256 of a token is stored.
 */
import { Type } from "@fastify/type-provider-typebox";
import {
  createScimToken,
  deleteScimToken,
  type FederationRepository,
  getScimToken,
  type ScimTokenRecord,
} from "../../../federation/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE } from "./dto.ts";

const TokenInfo = Type.Object(
  { id: Type.String(), hint: Type.String(), createdDateTime: Type.String(), scimUrl: Type.String() },
  { additionalProperties: false },
);
const NewToken = Type.Object(
  {
    id: Type.String(),
    hint: Type.String(),
    createdDateTime: Type.String(),
    scimUrl: Type.String(),
    token: Type.String(),
  },
  { additionalProperties: false },
);
const PATH = "/directory/scim/token";

function info(record: ScimTokenRecord, scimUrl: string) {
  return { id: record.id, hint: record.hint, createdDateTime: record.createdAt.toISOString(), scimUrl };
}

export function registerScimTokenRoutes(
  app: App,
  deps: RouteDeps,
  federation: FederationRepository,
  scimUrl: () => string,
): void {
  app.post(
    PATH,
    {
      config: { permission: { action: "Directory/scim/token/write", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "ScimToken_Create",
        tags: ["Directory"],
        summary: "Create or rotate the tenant's SCIM token (shown once)",
        response: { 201: NewToken },
      },
    },
    async (request, reply) => {
      const tenantId = principalOf(request).tenantId;
      const created = await inChange(request, deps, async (tx, note) => {
        const made = await createScimToken(tx.federation ?? federation, tenantId, new Date());
        note(PATH, { id: made.id, hint: made.hint }); // never the token
        return made;
      });
      return reply.code(201).send({ ...info(created, scimUrl()), token: created.token });
    },
  );
  app.get(
    PATH,
    {
      config: { permission: { action: "Directory/scim/token/read", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "ScimToken_Get",
        tags: ["Directory"],
        summary: "Show the tenant's SCIM token (id, hint, creation time)",
        response: { 200: TokenInfo },
      },
    },
    async (request) => info(await getScimToken(federation, principalOf(request).tenantId), scimUrl()),
  );
  app.delete(
    PATH,
    {
      config: { permission: { action: "Directory/scim/token/delete", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "ScimToken_Delete",
        tags: ["Directory"],
        summary: "Delete the tenant's SCIM token (SCIM provisioning stops)",
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const tenantId = principalOf(request).tenantId;
      await inChange(request, deps, async (tx, note) => {
        await deleteScimToken(tx.federation ?? federation, tenantId);
        note(PATH);
      });
      return reply.code(204).send(null);
    },
  );
}
