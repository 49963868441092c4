import { RoleDefinitionNotFoundError } from "../../../rbac/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { type ScopeTemplate, scopeOf, scopeParams } from "../../lib/scopes.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { GUID, RoleDefinitionDto, toRoleDefinitionDto } from "./dto.ts";
import { ROLE_DEFINITION_SCOPES } from "./lib/role-definition-scopes.ts";

/** `hostpass role definition show`. */
export function registerGetRoleDefinition(app: App, deps: RouteDeps): void {
  for (const template of ROLE_DEFINITION_SCOPES) register(app, deps, template);
}

function register(app: App, deps: RouteDeps, template: ScopeTemplate): void {
  app.get(
    `${template.prefix}/providers/Authorization/roleDefinitions/:roleDefinitionId`,
    {
      config: {
        permission: { action: "Authorization/roleDefinitions/read", scope: (r) => scopeOf(template, r) },
      },
      schema: {
        operationId: `RoleDefinitions_Get_At${template.name}`,
        tags: ["Authorization"],
        summary: "Show a role definition",
        params: scopeParams(template, { roleDefinitionId: GUID }),
        response: { 200: RoleDefinitionDto },
      },
    },
    async (request) => {
      const engine = await deps.rbac(principalOf(request).tenantId);
      const role = engine.role(request.params.roleDefinitionId.toLowerCase());
      if (role === undefined)
        throw new RoleDefinitionNotFoundError(
          `role definition '${request.params.roleDefinitionId}' does not exist`,
        );
      return toRoleDefinitionDto(role);
    },
  );
}
