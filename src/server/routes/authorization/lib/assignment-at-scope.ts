import {
  type RbacEngine,
  type RoleAssignment,
  RoleAssignmentNotFoundError,
  scopeKey,
} from "../../../../rbac/index.ts";

/**
 * The assignment `id` if it was made at exactly `scope`. An id under another scope is "not
 * found" here, as in Azure, so a path cannot reach an assignment outside the scope it names.
 */
export async function assignmentAtScope(
  engine: RbacEngine,
  scope: string,
  id: string,
): Promise<RoleAssignment> {
  await engine.sync();
  const assignment = engine.assignment(id.toLowerCase()) ?? engine.assignment(id);
  if (assignment === undefined || scopeKey(assignment.scope) !== scopeKey(scope)) {
    throw new RoleAssignmentNotFoundError(`role assignment '${id}' does not exist at scope '${scope}'`);
  }
  return assignment;
}
