/**
 * A service principal as a web sign-in client (issue 13: hostpass as another service's OpenID
 * Connect provider, e.g. a second hostpass federating to this one): its redirect URIs. With at
 * least one, the app may use the authorization code flow (PKCE required, its client secret at
 * the token endpoint) with `openid profile email groups`; the `groups` claim lists the names of
 * the user's groups. An empty list makes it a client-credentials-only app again.
 */
import { Type } from "@fastify/type-provider-typebox";
import { checkRedirectUris, type FederationRepository } from "../../../federation/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, ObjectId } from "./dto.ts";
import { principalOfKind } from "./lib/principal-of-kind.ts";

const Uris = Type.Object(
  { redirectUris: Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), { maxItems: 10 }) },
  { additionalProperties: false },
);
const Params = Type.Object({ servicePrincipalId: ObjectId }, { additionalProperties: false });
const PATH = "/directory/servicePrincipals/:servicePrincipalId/redirectUris";

export function registerServicePrincipalRedirectUris(
  app: App,
  deps: RouteDeps,
  federation: FederationRepository,
): void {
  app.put(
    PATH,
    {
      config: { permission: { action: "Directory/servicePrincipals/write", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "ServicePrincipalRedirectUris_Set",
        tags: ["Directory"],
        summary: "Set the redirect URIs of an app that signs users in through hostpass",
        params: Params,
        body: Uris,
        response: { 200: Uris },
      },
    },
    async (request) => {
      const tenantId = principalOf(request).tenantId;
      const id = request.params.servicePrincipalId.toLowerCase();
      const uris = checkRedirectUris(request.body.redirectUris);
      await inChange(request, deps, async (tx, note) => {
        await principalOfKind(tx.directory, tenantId, id, "servicePrincipal");
        await (tx.federation ?? federation).setRedirectUris(tenantId, id, uris);
        note(id, { redirectUris: uris });
      });
      return { redirectUris: uris };
    },
  );
  app.get(
    PATH,
    {
      config: { permission: { action: "Directory/servicePrincipals/read", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "ServicePrincipalRedirectUris_Get",
        tags: ["Directory"],
        summary: "The redirect URIs of an app that signs users in through hostpass",
        params: Params,
        response: { 200: Uris },
      },
    },
    async (request) => {
      const tenantId = principalOf(request).tenantId;
      const id = request.params.servicePrincipalId.toLowerCase();
      await principalOfKind(deps.directory, tenantId, id, "servicePrincipal");
      return { redirectUris: [...(await federation.getRedirectUris(tenantId, id))] };
    },
  );
}
