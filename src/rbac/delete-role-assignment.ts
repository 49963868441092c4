import { type Actor, authorizeActor } from "./actor.ts";
import { ROLE_ASSIGNMENT_DELETE } from "./built-in-roles.ts";
import { RoleAssignmentNotFoundError } from "./errors.ts";
import type { RbacEngine } from "./rbac-engine.ts";
import type { RoleAssignment } from "./repository.ts";

/**
 * Removes an assignment. The engine syncs before returning, so the next check on this process
 * no longer sees it: there is no cache that could keep granting.
 */
export async function deleteRoleAssignment(
  engine: RbacEngine,
  actor: Actor,
  id: string,
): Promise<RoleAssignment> {
  const existing = await planRoleAssignmentDeletion(engine, actor, id);
  const version = await engine.repository.deleteRoleAssignment(engine.tenantId, existing.id);
  if (version === undefined) throw new RoleAssignmentNotFoundError(`role assignment '${id}' does not exist`);
  await engine.sync();
  return existing;
}

/** The checks of `deleteRoleAssignment` without the write (see `planRoleAssignment`). */
export async function planRoleAssignmentDeletion(
  engine: RbacEngine,
  actor: Actor,
  id: string,
): Promise<RoleAssignment> {
  await engine.sync(); // another replica may have created it
  const existing = typeof id === "string" ? engine.assignment(id) : undefined;
  if (existing === undefined)
    throw new RoleAssignmentNotFoundError(`role assignment '${String(id)}' does not exist`);
  await authorizeActor(engine, actor, ROLE_ASSIGNMENT_DELETE, [existing.scope]);
  return existing;
}
