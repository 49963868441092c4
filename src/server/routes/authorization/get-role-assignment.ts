import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { SCOPE_TEMPLATES, type ScopeTemplate, scopeOf, scopeParams } from "../../lib/scopes.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { GUID, RoleAssignmentDto, toRoleAssignmentDto } from "./dto.ts";
import { assignmentAtScope } from "./lib/assignment-at-scope.ts";

/** `hostpass role assignment show`. */
export function registerGetRoleAssignment(app: App, deps: RouteDeps): void {
  for (const template of SCOPE_TEMPLATES) register(app, deps, template);
}

function register(app: App, deps: RouteDeps, template: ScopeTemplate): void {
  app.get(
    `${template.prefix}/providers/Authorization/roleAssignments/:roleAssignmentId`,
    {
      config: {
        permission: { action: "Authorization/roleAssignments/read", scope: (r) => scopeOf(template, r) },
      },
      schema: {
        operationId: `RoleAssignments_Get_At${template.name}`,
        tags: ["Authorization"],
        summary: "Show one role assignment",
        params: scopeParams(template, { roleAssignmentId: GUID }),
        response: { 200: RoleAssignmentDto },
      },
    },
    async (request) => {
      const engine = await deps.rbac(principalOf(request).tenantId);
      const assignment = await assignmentAtScope(
        engine,
        scopeOf(template, request),
        request.params.roleAssignmentId,
      );
      return toRoleAssignmentDto(engine, assignment);
    },
  );
}
