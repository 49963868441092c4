import {
  planRoleAssignmentDeletion,
  ROLE_ASSIGNMENT_DELETE,
  RoleAssignmentNotFoundError,
} from "../../../rbac/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { SCOPE_TEMPLATES, type ScopeTemplate, scopeOf, scopeParams } from "../../lib/scopes.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { actorOf } from "../../plugins/authorize.ts";
import { assignmentDetails, GUID, RoleAssignmentDto, roleAssignmentId, toRoleAssignmentDto } from "./dto.ts";
import { assignmentAtScope } from "./lib/assignment-at-scope.ts";

/** `hostpass role assignment delete`: takes effect at once (the engine syncs before returning). */
export function registerDeleteRoleAssignment(app: App, deps: RouteDeps): void {
  for (const template of SCOPE_TEMPLATES) register(app, deps, template);
}

function register(app: App, deps: RouteDeps, template: ScopeTemplate): void {
  app.delete(
    `${template.prefix}/providers/Authorization/roleAssignments/:roleAssignmentId`,
    {
      // Checked first so that a caller who may not delete cannot probe which ids exist.
      config: { permission: { action: ROLE_ASSIGNMENT_DELETE, scope: (r) => scopeOf(template, r) } },
      schema: {
        operationId: `RoleAssignments_Delete_At${template.name}`,
        tags: ["Authorization"],
        summary: "Remove a role assignment",
        params: scopeParams(template, { roleAssignmentId: GUID }),
        response: { 200: RoleAssignmentDto },
      },
    },
    async (request) => {
      const engine = await deps.rbac(principalOf(request).tenantId);
      const scope = scopeOf(template, request);
      request.auditTarget = roleAssignmentId(scope, request.params.roleAssignmentId);
      const existing = await assignmentAtScope(engine, scope, request.params.roleAssignmentId);
      const planned = await planRoleAssignmentDeletion(engine, actorOf(request), existing.id);
      await inChange(request, deps, async (tx, note) => {
        if ((await tx.rbac.deleteRoleAssignment(planned.tenantId, planned.id)) === undefined)
          throw new RoleAssignmentNotFoundError(`role assignment '${planned.id}' does not exist`);
        note(roleAssignmentId(scope, planned.id), assignmentDetails(engine, planned));
      });
      return toRoleAssignmentDto(engine, planned);
    },
  );
}
