import { Type } from "@fastify/type-provider-typebox";
import type { RbacEngine, RoleAssignment, RoleDefinition } from "../../../rbac/index.ts";

export const RoleAssignmentDto = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    type: Type.Literal("Authorization/roleAssignments"),
    scope: Type.String(),
    roleDefinitionId: Type.String(),
    roleDefinitionName: Type.String(),
    principalId: Type.String(),
    principalType: Type.String(),
    description: Type.String(),
    createdOn: Type.String(),
    createdBy: Type.String(),
  },
  { additionalProperties: false },
);

const PermissionsDto = Type.Object(
  {
    actions: Type.Array(Type.String()),
    notActions: Type.Array(Type.String()),
    dataActions: Type.Array(Type.String()),
    notDataActions: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);

export const RoleDefinitionDto = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    type: Type.Literal("Authorization/roleDefinitions"),
    roleName: Type.String(),
    roleType: Type.Union([Type.Literal("BuiltInRole"), Type.Literal("CustomRole")]),
    description: Type.String(),
    permissions: Type.Array(PermissionsDto),
    assignableScopes: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);

/** The seed's id shape: `<scope>/providers/Authorization/roleAssignments/<guid>` ("/" has no prefix). */
export function roleAssignmentId(scope: string, id: string): string {
  return `${scope === "/" ? "" : scope}/providers/Authorization/roleAssignments/${id}`;
}

export function toRoleAssignmentDto(engine: RbacEngine, a: RoleAssignment) {
  return {
    id: roleAssignmentId(a.scope, a.id),
    name: a.id,
    type: "Authorization/roleAssignments" as const,
    scope: a.scope,
    roleDefinitionId: `/providers/Authorization/roleDefinitions/${a.roleDefinitionId}`,
    roleDefinitionName: engine.role(a.roleDefinitionId)?.name ?? "",
    principalId: a.principalId,
    principalType: a.principalType,
    description: a.description,
    createdOn: a.createdAt,
    createdBy: a.createdBy,
  };
}

/** What the activity log says about an assignment: the role, the assignee and the scope. */
export function assignmentDetails(engine: RbacEngine, a: RoleAssignment) {
  return {
    role: { id: a.roleDefinitionId, name: engine.role(a.roleDefinitionId)?.name ?? "" },
    assignee: { id: a.principalId, type: a.principalType },
    scope: a.scope,
  };
}

export function toRoleDefinitionDto(d: RoleDefinition) {
  const p = d.permissions;
  return {
    id: `/providers/Authorization/roleDefinitions/${d.id}`,
    name: d.id,
    type: "Authorization/roleDefinitions" as const,
    roleName: d.name,
    roleType: d.builtIn ? ("BuiltInRole" as const) : ("CustomRole" as const),
    description: d.description,
    permissions: [
      {
        actions: [...p.actions],
        notActions: [...p.notActions],
        dataActions: [...p.dataActions],
        notDataActions: [...p.notDataActions],
      },
    ],
    assignableScopes: [...d.assignableScopes],
  };
}

/** Role assignment ids are GUIDs, chosen by the client on PUT as in Azure. */
export const GUID = Type.String({
  pattern: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
});
