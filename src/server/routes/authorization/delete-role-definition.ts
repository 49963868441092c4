import { planCustomRoleDeletion, RoleDefinitionNotFoundError } from "../../../rbac/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { type ScopeTemplate, scopeParams } from "../../lib/scopes.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { actorOf } from "../../plugins/authorize.ts";
import { GUID, RoleDefinitionDto, toRoleDefinitionDto } from "./dto.ts";
import { ROLE_DEFINITION_SCOPES } from "./lib/role-definition-scopes.ts";

/** `hostpass role definition delete`: custom roles only, and only when no longer assigned. */
export function registerDeleteRoleDefinition(app: App, deps: RouteDeps): void {
  for (const template of ROLE_DEFINITION_SCOPES) register(app, deps, template);
}

function register(app: App, deps: RouteDeps, template: ScopeTemplate): void {
  app.delete(
    `${template.prefix}/providers/Authorization/roleDefinitions/:roleDefinitionId`,
    {
      config: { permission: "domain" }, // deleteCustomRole authorises at the role's assignable scopes
      schema: {
        operationId: `RoleDefinitions_Delete_At${template.name}`,
        tags: ["Authorization"],
        summary: "Delete a custom role",
        params: scopeParams(template, { roleDefinitionId: GUID }),
        response: { 200: RoleDefinitionDto },
      },
    },
    async (request) => {
      const engine = await deps.rbac(principalOf(request).tenantId);
      const role = await planCustomRoleDeletion(engine, actorOf(request), request.params.roleDefinitionId);
      await inChange(request, deps, async (tx, note) => {
        if ((await tx.rbac.deleteRoleDefinition(role.tenantId, role.id)) === undefined)
          throw new RoleDefinitionNotFoundError(`role definition '${role.id}' does not exist`);
        note(role.id, { roleName: role.name });
      });
      return toRoleDefinitionDto(role);
    },
  );
}
