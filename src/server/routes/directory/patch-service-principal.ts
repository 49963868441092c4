import { Type } from "@fastify/type-provider-typebox";
import type { ServicePrincipal } from "../../../directory/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { revokedForAudit, setEnabledEndingSessions } from "../../lib/sessions.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, ObjectId, ServicePrincipalDto, toServicePrincipalDto } from "./dto.ts";

/**
 * `hostpass ad sp update --account-enabled false`: the app's tokens stop working at once, its
 * certificates are revoked, and enabling it again brings neither back (lib/sessions.ts).
 */
export function registerPatchServicePrincipal(app: App, deps: RouteDeps): void {
  app.patch(
    "/directory/servicePrincipals/:servicePrincipalId",
    {
      config: { permission: { action: "Directory/servicePrincipals/write", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "ServicePrincipals_Update",
        tags: ["Directory"],
        summary: "Enable or disable a service principal",
        params: Type.Object({ servicePrincipalId: ObjectId }, { additionalProperties: false }),
        body: Type.Object({ accountEnabled: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: ServicePrincipalDto },
      },
    },
    async (request) => {
      const id = request.params.servicePrincipalId.toLowerCase();
      request.auditTarget = id;
      const tenantId = principalOf(request).tenantId;
      const enabled = request.body.accountEnabled;
      const { principal } = await inChange(request, deps, async (tx, note) => {
        const before = await tx.directory.getPrincipal(tenantId, id);
        const ended = await setEnabledEndingSessions(tx, { tenantId, id, kind: "servicePrincipal", enabled });
        note(id, {
          changed: { accountEnabled: { from: before?.enabled ?? null, to: enabled } },
          ...revokedForAudit(ended.certificatesRevoked),
        });
        return ended;
      });
      return toServicePrincipalDto(principal as ServicePrincipal);
    },
  );
}
