/**
 * Upstream OpenID Connect providers (issue 13): `hostpass idp add|list|show|update|delete`.
 * The client secret is write-only (sealed in the store; the answer says only whether one is set).
 * `redirectUri` is what to register at the provider.
 */
import { type Static, Type } from "@fastify/type-provider-typebox";
import {
  addIdentityProvider,
  deleteIdentityProvider,
  getIdentityProvider,
  type IdentityProvider,
  type IdentityProviderInput,
  IdentityProviderNotFoundError,
  type IdentityProviderRepository,
  publicJwks,
  updateIdentityProvider,
} from "../../../federation/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE } from "./dto.ts";

const Text = (max = 256) => Type.String({ minLength: 1, maxLength: max });
const Claims = Type.Object(
  {
    username: Type.Optional(Text(128)),
    displayName: Type.Optional(Text(128)),
    // null (on an update) removes the mapping
    linuxName: Type.Optional(Type.Union([Text(128), Type.Null()])),
    groups: Type.Optional(Type.Union([Text(128), Type.Null()])),
    externalId: Type.Optional(Type.Union([Text(128), Type.Null()])),
  },
  { additionalProperties: false },
);
const Fields = {
  name: Type.Optional(Text(63)),
  displayName: Type.Optional(Text()),
  issuer: Type.Optional(Text(1024)),
  clientId: Type.Optional(Text()),
  clientAuthMethod: Type.Optional(Type.String({ maxLength: 64 })),
  scopes: Type.Optional(Type.Array(Text(128), { maxItems: 32 })),
  claims: Type.Optional(Claims),
  allowedDomains: Type.Optional(Type.Array(Text(253), { maxItems: 100 })),
  jitProvisioning: Type.Optional(Type.Boolean()),
  trustMfa: Type.Optional(Type.Boolean()),
  mfaAcrValues: Type.Optional(Type.Array(Text(128), { maxItems: 32 })),
  enabled: Type.Optional(Type.Boolean()),
};
const CreateBody = Type.Object(
  {
    ...Fields,
    name: Text(63),
    issuer: Text(1024),
    clientId: Text(),
    clientSecret: Type.Optional(Text()),
    caCertificate: Type.Optional(Type.String({ minLength: 1, maxLength: 16_384 })),
  },
  { additionalProperties: false },
);
const UpdateBody = Type.Object(
  {
    ...Fields,
    rotateSigningKey: Type.Optional(Type.Boolean()),
    clientSecret: Type.Optional(Type.Union([Text(), Type.Null()])),
    caCertificate: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 16_384 }), Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);
const Params = Type.Object(
  { provider: Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9-]+$" }) },
  { additionalProperties: false },
);
const ProviderDto = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    displayName: Type.String(),
    issuer: Type.String(),
    clientId: Type.String(),
    clientAuthMethod: Type.String(),
    clientSecretSet: Type.Boolean(),
    scopes: Type.Array(Type.String()),
    claims: Type.Record(Type.String(), Type.String()),
    allowedDomains: Type.Array(Type.String()),
    jitProvisioning: Type.Boolean(),
    trustMfa: Type.Boolean(),
    mfaAcrValues: Type.Array(Type.String()),
    enabled: Type.Boolean(),
    caCertificateSet: Type.Boolean(),
    redirectUri: Type.String({
      description: "register it at the provider as the redirect URI (each provider has its own)",
    }),
    jwksUri: Type.Optional(
      Type.String({ description: "private_key_jwt: the public key set to register at the provider" }),
    ),
    signingKey: Type.Optional(
      Type.Object(
        {
          kid: Type.String(),
          alg: Type.String(),
          createdDateTime: Type.String(),
          publicJwk: Type.Record(Type.String(), Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
    createdDateTime: Type.String(),
    updatedDateTime: Type.String(),
  },
  { additionalProperties: false },
);
const PATH = "/directory/identityProviders";

export function registerIdentityProviderRoutes(
  app: App,
  deps: RouteDeps,
  providers: IdentityProviderRepository,
  redirectUri: (id: string) => string,
  jwksUri: (id: string) => string,
): void {
  const dto = async (p: IdentityProvider): Promise<Static<typeof ProviderDto>> => ({
    id: p.id,
    name: p.name,
    displayName: p.displayName,
    issuer: p.issuer,
    clientId: p.clientId,
    clientAuthMethod: p.clientAuth,
    clientSecretSet: (await providers.getClientSecret(p.tenantId, p.id)) !== undefined,
    scopes: [...p.scopes],
    claims: { ...p.claims },
    allowedDomains: [...p.allowedDomains],
    jitProvisioning: p.jitProvisioning,
    trustMfa: p.trustMfa,
    mfaAcrValues: [...p.mfaAcrValues],
    enabled: p.enabled,
    caCertificateSet: p.caCertificate !== undefined,
    redirectUri: redirectUri(p.id),
    ...(p.clientAuth === "private_key_jwt" && p.signingKey
      ? {
          jwksUri: jwksUri(p.id),
          signingKey: {
            kid: p.signingKey.kid,
            alg: p.signingKey.alg,
            createdDateTime: p.signingKey.createdAt,
            publicJwk: {
              ...p.signingKey.publicJwk,
              kid: p.signingKey.kid,
              alg: p.signingKey.alg,
              use: "sig",
            },
          },
        }
      : {}),
    createdDateTime: p.createdAt.toISOString(),
    updatedDateTime: p.updatedAt.toISOString(),
  });
  const repoOf = (tx: { identityProviders?: IdentityProviderRepository }) =>
    tx.identityProviders ?? providers;
  /** What the activity log keeps: the settings, never the secret. */
  const noted = (p: IdentityProvider, input: IdentityProviderInput) => ({
    name: p.name,
    issuer: p.issuer,
    clientId: p.clientId,
    jitProvisioning: p.jitProvisioning,
    trustMfa: p.trustMfa,
    enabled: p.enabled,
    clientAuthMethod: p.clientAuth,
    ...(p.signingKey ? { signingKeyId: p.signingKey.kid } : {}),
    ...(input.clientSecret === undefined
      ? {}
      : { clientSecret: input.clientSecret === null ? "removed" : "set" }),
  });

  app.post(
    PATH,
    {
      config: { permission: { action: "Directory/identityProviders/write", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "IdentityProviders_Create",
        tags: ["Directory"],
        summary: "Register an upstream OpenID Connect provider",
        body: CreateBody,
        response: { 201: ProviderDto },
      },
    },
    async (request, reply) => {
      const tenantId = principalOf(request).tenantId;
      const created = await inChange(request, deps, async (tx, note) => {
        const p = await addIdentityProvider(repoOf(tx), tenantId, request.body, new Date());
        note(p.id, noted(p, request.body));
        return p;
      });
      return reply.code(201).send(await dto(created));
    },
  );
  app.get(
    PATH,
    {
      config: { permission: { action: "Directory/identityProviders/read", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "IdentityProviders_List",
        tags: ["Directory"],
        summary: "List the upstream providers",
        response: { 200: Type.Object({ value: Type.Array(ProviderDto) }, { additionalProperties: false }) },
      },
    },
    async (request) => ({
      value: await Promise.all(
        (await providers.listIdentityProviders(principalOf(request).tenantId)).map(dto),
      ),
    }),
  );
  app.get(
    `${PATH}/:provider`,
    {
      config: { permission: { action: "Directory/identityProviders/read", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "IdentityProviders_Get",
        tags: ["Directory"],
        summary: "Show an upstream provider",
        params: Params,
        response: { 200: ProviderDto },
      },
    },
    async (request) =>
      dto(await getIdentityProvider(providers, principalOf(request).tenantId, request.params.provider)),
  );
  app.get(
    `${PATH}/:id/jwks`,
    {
      config: { public: true },
      schema: {
        operationId: "IdentityProviders_GetJwks",
        tags: ["Directory"],
        summary: "The public key hostpass signs private_key_jwt assertions to this provider with (public)",
        params: Type.Object(
          { id: Type.String({ pattern: "^[0-9a-fA-F-]{36}$" }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object(
            { keys: Type.Array(Type.Record(Type.String(), Type.String())) },
            { additionalProperties: false },
          ),
        },
      },
    },
    async (request) => {
      const p = await providers.findIdentityProviderById(request.params.id.toLowerCase());
      if (!p) throw new IdentityProviderNotFoundError("no such identity provider");
      return publicJwks(p.clientAuth === "private_key_jwt" ? p.signingKey : undefined);
    },
  );
  app.patch(
    `${PATH}/:provider`,
    {
      config: { permission: { action: "Directory/identityProviders/write", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "IdentityProviders_Update",
        tags: ["Directory"],
        summary: "Change an upstream provider",
        params: Params,
        body: UpdateBody,
        response: { 200: ProviderDto },
      },
    },
    async (request) => {
      const tenantId = principalOf(request).tenantId;
      const updated = await inChange(request, deps, async (tx, note) => {
        const p = await updateIdentityProvider(
          repoOf(tx),
          tenantId,
          request.params.provider,
          request.body,
          new Date(),
        );
        note(p.id, noted(p, request.body));
        return p;
      });
      return dto(updated);
    },
  );
  app.delete(
    `${PATH}/:provider`,
    {
      config: { permission: { action: "Directory/identityProviders/delete", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "IdentityProviders_Delete",
        tags: ["Directory"],
        summary: "Remove an upstream provider (its users and groups stay)",
        params: Params,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const tenantId = principalOf(request).tenantId;
      await inChange(request, deps, async (tx, note) => {
        const p = await deleteIdentityProvider(repoOf(tx), tenantId, request.params.provider);
        note(p.id, { name: p.name, issuer: p.issuer });
      });
      return reply.code(204).send(null);
    },
  );
}
