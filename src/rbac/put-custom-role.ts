import { randomUUID } from "node:crypto";
import { type Actor, authorizeActor } from "./actor.ts";
import { ROLE_DEFINITION_WRITE } from "./built-in-roles.ts";
import { type CustomRoleInput, validateCustomRole } from "./custom-role.ts";
import { RoleDefinitionConflictError, RoleDefinitionNotFoundError } from "./errors.ts";
import { coveredBy } from "./lib/covered-by.ts";
import type { RbacEngine } from "./rbac-engine.ts";
import type { RoleDefinition } from "./repository.ts";
import { parseScope } from "./scope.ts";

export interface PutCustomRoleOptions {
  /** Update this role instead of creating one. */
  readonly id?: string;
  readonly now?: () => Date;
  readonly newId?: () => string;
}

/**
 * Creates or updates a custom role. The actor needs `Authorization/roleDefinitions/write` at
 * every assignable scope (old and new). Names are unique per tenant, case-insensitively, and
 * never a built-in's. Narrowing the assignable scopes must not strand existing assignments.
 */
export async function putCustomRole(
  engine: RbacEngine,
  actor: Actor,
  input: CustomRoleInput,
  options: PutCustomRoleOptions = {},
): Promise<RoleDefinition> {
  const definition = await planCustomRole(engine, actor, input, options);
  await engine.repository.putRoleDefinition(definition);
  await engine.sync();
  return definition;
}

/** The checks of `putCustomRole` without the write (see `planRoleAssignment`). */
export async function planCustomRole(
  engine: RbacEngine,
  actor: Actor,
  input: CustomRoleInput,
  options: PutCustomRoleOptions = {},
): Promise<RoleDefinition> {
  const valid = validateCustomRole(input);
  await engine.sync();
  const existing = options.id === undefined ? undefined : engine.role(options.id.toLowerCase());
  if (options.id !== undefined && existing === undefined) {
    throw new RoleDefinitionNotFoundError(`role definition '${options.id}' does not exist`);
  }
  if (existing?.builtIn) throw new RoleDefinitionConflictError("built-in roles cannot be changed");
  const createdBy = await authorizeActor(engine, actor, ROLE_DEFINITION_WRITE, [
    ...new Set([...(existing?.assignableScopes ?? []), ...valid.assignableScopes]),
  ]);
  const clash = engine.resolveRole(valid.name);
  if (clash !== undefined && clash.id !== existing?.id) {
    throw new RoleDefinitionConflictError(`a role named '${clash.name}' already exists`);
  }
  if (existing !== undefined && engine.index.countForRole(existing.id) > 0) {
    for (const a of engine.index.all()) {
      if (a.roleDefinitionId !== existing.id) continue;
      if (!coveredBy(await engine.ancestorKeys(parseScope(a.scope)), valid.assignableScopes)) {
        throw new RoleDefinitionConflictError(
          `assignment '${a.id}' at '${a.scope}' would fall outside the new assignable scopes`,
        );
      }
    }
  }
  const now = (options.now?.() ?? new Date()).toISOString();
  const definition: RoleDefinition = Object.freeze({
    id: existing?.id ?? (options.newId ?? randomUUID)().toLowerCase(),
    tenantId: engine.tenantId,
    ...valid,
    builtIn: false,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    createdBy: existing?.createdBy ?? createdBy,
  });
  return definition;
}
