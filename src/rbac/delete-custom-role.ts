import { type Actor, authorizeActor } from "./actor.ts";
import { ROLE_DEFINITION_DELETE } from "./built-in-roles.ts";
import { RoleDefinitionConflictError, RoleDefinitionNotFoundError } from "./errors.ts";
import type { RbacEngine } from "./rbac-engine.ts";
import type { RoleDefinition } from "./repository.ts";

/** Deletes a custom role that is no longer assigned anywhere (Azure refuses otherwise too). */
export async function deleteCustomRole(
  engine: RbacEngine,
  actor: Actor,
  id: string,
): Promise<RoleDefinition> {
  const existing = await planCustomRoleDeletion(engine, actor, id);
  await engine.repository.deleteRoleDefinition(engine.tenantId, existing.id);
  await engine.sync();
  return existing;
}

/** The checks of `deleteCustomRole` without the write (see `planRoleAssignment`). */
export async function planCustomRoleDeletion(
  engine: RbacEngine,
  actor: Actor,
  id: string,
): Promise<RoleDefinition> {
  await engine.sync();
  const existing = typeof id === "string" ? engine.role(id.toLowerCase()) : undefined;
  if (existing === undefined)
    throw new RoleDefinitionNotFoundError(`role definition '${String(id)}' does not exist`);
  if (existing.builtIn) throw new RoleDefinitionConflictError("built-in roles cannot be deleted");
  await authorizeActor(engine, actor, ROLE_DEFINITION_DELETE, existing.assignableScopes);
  if (engine.index.countForRole(existing.id) > 0) {
    throw new RoleDefinitionConflictError(
      `role '${existing.name}' is still assigned; remove its assignments first`,
    );
  }
  return existing;
}
