import { Type } from "@fastify/type-provider-typebox";
import { InvalidRoleInputError, planRoleAssignment, ROLE_ASSIGNMENT_WRITE } from "../../../rbac/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { SCOPE_TEMPLATES, type ScopeTemplate, scopeOf, scopeParams } from "../../lib/scopes.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { actorOf } from "../../plugins/authorize.ts";
import { assignmentDetails, GUID, RoleAssignmentDto, roleAssignmentId, toRoleAssignmentDto } from "./dto.ts";

const Body = Type.Object(
  {
    /** A role name, id or `.../roleDefinitions/<id>` path. */
    role: Type.String({ minLength: 1, maxLength: 512 }),
    /** A UPN, an object id or an application id. */
    assignee: Type.String({ minLength: 1, maxLength: 256 }),
    description: Type.Optional(Type.String({ maxLength: 2048 })),
    /** `--assignee-principal-type`: when given, the assignee must be of this type. */
    principalType: Type.Optional(
      Type.Union(["User", "Group", "ServicePrincipal", "ManagedIdentity"].map((t) => Type.Literal(t))),
    ),
  },
  { additionalProperties: false },
);

/** `hostpass role assignment create`: PUT with a client-chosen GUID, as in Azure. */
export function registerPutRoleAssignment(app: App, deps: RouteDeps): void {
  for (const template of SCOPE_TEMPLATES) register(app, deps, template);
}

function register(app: App, deps: RouteDeps, template: ScopeTemplate): void {
  app.put(
    `${template.prefix}/providers/Authorization/roleAssignments/:roleAssignmentId`,
    {
      // Checked before the assignee is looked up, so a caller who may not assign learns nothing about names.
      config: {
        permission: { action: ROLE_ASSIGNMENT_WRITE, scope: (request) => scopeOf(template, request) },
      },
      schema: {
        operationId: `RoleAssignments_Create_At${template.name}`,
        tags: ["Authorization"],
        summary: "Assign a role to a user, group, service principal or managed identity",
        params: scopeParams(template, { roleAssignmentId: GUID }),
        body: Body,
        response: { 201: RoleAssignmentDto },
      },
    },
    async (request, reply) => {
      const { tenantId } = principalOf(request);
      const id = request.params.roleAssignmentId.toLowerCase();
      request.auditTarget = roleAssignmentId(scopeOf(template, request), id);
      // The scope must name something that exists; the assignment keeps its canonical spelling.
      const [engine, principal, scope] = await Promise.all([
        deps.rbac(tenantId),
        deps.resolveAssignee(tenantId, request.body.assignee),
        deps.resolveScope(tenantId, scopeOf(template, request)),
      ]);
      request.auditTarget = roleAssignmentId(scope, id);
      if (request.body.principalType !== undefined && request.body.principalType !== principal.type) {
        throw new InvalidRoleInputError(
          `the assignee is a ${principal.type}, not a ${request.body.principalType} (--assignee-principal-type)`,
        );
      }
      const input = {
        role: request.body.role,
        principalId: principal.id,
        principalType: principal.type,
        scope,
        description: request.body.description,
      };
      const planned = await planRoleAssignment(engine, actorOf(request), input, { newId: () => id });
      await inChange(request, deps, async (tx, note) => {
        // Changes of a tenant are serialised (its row lock): checked here, the scope cannot be
        // deleted between this check and the commit.
        await deps.resolveScope(tenantId, scope, tx.resources);
        await tx.rbac.createRoleAssignment(planned);
        note(roleAssignmentId(scope, id), assignmentDetails(engine, planned));
      });
      return reply.code(201).send(toRoleAssignmentDto(engine, planned));
    },
  );
}
