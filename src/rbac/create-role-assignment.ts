import { randomUUID } from "node:crypto";
import { type Actor, authorizeActor } from "./actor.ts";
import { ROLE_ASSIGNMENT_WRITE } from "./built-in-roles.ts";
import {
  InvalidRoleInputError,
  RoleAssignmentExistsError,
  RoleDefinitionNotFoundError,
  ScopeNotAssignableError,
} from "./errors.ts";
import { coveredBy } from "./lib/covered-by.ts";
import type { RbacEngine } from "./rbac-engine.ts";
import type { PrincipalType, RoleAssignment } from "./repository.ts";
import { parseScope } from "./scope.ts";

export interface CreateRoleAssignmentInput {
  /** A role id, a `.../roleDefinitions/<id>` path or a role name. */
  readonly role: string;
  /** Object id; the caller (server) has resolved and checked it against the directory. */
  readonly principalId: string;
  readonly principalType: PrincipalType;
  readonly scope: string;
  readonly description?: string;
}

export interface CreateRoleAssignmentOptions {
  readonly now?: () => Date;
  readonly newId?: () => string;
}

const PRINCIPAL_TYPES: readonly string[] = ["User", "Group", "ServicePrincipal", "ManagedIdentity"];
const OBJECT_ID = /^[A-Za-z0-9-]{1,128}$/;
const MAX_DESCRIPTION = 2048;

/**
 * Assigns a role. Only holders of `Authorization/roleAssignments/write` at the scope (Owner and
 * User Access Administrator among the built-ins) may; the role must be assignable there; the same
 * role for the same principal at the same scope is a conflict, as in Azure.
 */
export async function createRoleAssignment(
  engine: RbacEngine,
  actor: Actor,
  input: CreateRoleAssignmentInput,
  options: CreateRoleAssignmentOptions = {},
): Promise<RoleAssignment> {
  const assignment = await planRoleAssignment(engine, actor, input, options);
  await engine.repository.createRoleAssignment(assignment);
  await engine.sync();
  return assignment;
}

/**
 * Every check of `createRoleAssignment`, without the write: the assignment to store. A caller
 * that writes it in a transaction of its own (with its activity-log event) plans first, outside
 * that transaction, then writes with the transaction's repository and syncs the engine after the
 * commit. The store's unique index still refuses a duplicate that raced in between.
 */
export async function planRoleAssignment(
  engine: RbacEngine,
  actor: Actor,
  input: CreateRoleAssignmentInput,
  options: CreateRoleAssignmentOptions = {},
): Promise<RoleAssignment> {
  if (typeof input.principalId !== "string" || !OBJECT_ID.test(input.principalId)) {
    throw new InvalidRoleInputError("principalId must be an object id");
  }
  if (!PRINCIPAL_TYPES.includes(input.principalType)) {
    throw new InvalidRoleInputError(`principalType must be one of ${PRINCIPAL_TYPES.join(", ")}`);
  }
  const description = input.description ?? "";
  if (typeof description !== "string" || description.length > MAX_DESCRIPTION) {
    throw new InvalidRoleInputError(`description must be at most ${MAX_DESCRIPTION} characters`);
  }
  const parsed = parseScope(input.scope);
  await engine.sync(); // see other replicas' writes before the duplicate check
  const createdBy = await authorizeActor(engine, actor, ROLE_ASSIGNMENT_WRITE, [input.scope]);
  const role = typeof input.role === "string" ? engine.resolveRole(input.role) : undefined;
  if (role === undefined)
    throw new RoleDefinitionNotFoundError(`role '${String(input.role)}' does not exist`);
  if (!coveredBy(await engine.ancestorKeys(parsed), role.assignableScopes)) {
    throw new ScopeNotAssignableError(`role '${role.name}' is not assignable at scope '${input.scope}'`);
  }
  if (engine.index.find(parsed.key, input.principalId, role.id) !== undefined) {
    throw new RoleAssignmentExistsError("The role assignment already exists.");
  }
  const id = (options.newId ?? randomUUID)();
  if (engine.assignment(id) !== undefined) {
    throw new RoleAssignmentExistsError(`a role assignment with id '${id}' already exists`);
  }
  const assignment: RoleAssignment = Object.freeze({
    id,
    tenantId: engine.tenantId,
    roleDefinitionId: role.id,
    principalId: input.principalId,
    principalType: input.principalType,
    scope: input.scope,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    createdBy,
    description,
  });
  return assignment;
}
