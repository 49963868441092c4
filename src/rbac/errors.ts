import { HostpassError } from "../shared/errors.ts";

/** Base of every failure the RBAC module reports. */
export abstract class RbacError extends HostpassError {}

/**
 * The caller may not perform `action` at `scope`. The message follows Azure's wording so that
 * people who know the seed recognise it; it names the action and scope, never the roles held.
 */
export class AuthorizationFailedError extends RbacError {
  static readonly code = "ERR_AUTHORIZATION_FAILED";
  readonly code = AuthorizationFailedError.code;
  readonly kind = "forbidden";
  readonly action: string;
  readonly scope: string;
  constructor(principalId: string, action: string, scope: string) {
    super(
      `The client '${principalId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid.`,
    );
    this.action = action;
    this.scope = scope;
  }
}

/** A scope or resource id that is not well-formed (empty segments, traversal, bad structure). */
export class InvalidScopeError extends RbacError {
  static readonly code = "ERR_RBAC_INVALID_SCOPE";
  readonly code = InvalidScopeError.code;
  readonly kind = "invalid";
}

/** A custom role definition or assignment input that breaks a rule. */
export class InvalidRoleInputError extends RbacError {
  static readonly code = "ERR_RBAC_INVALID_INPUT";
  readonly code = InvalidRoleInputError.code;
  readonly kind = "invalid";
}

/** The role cannot be assigned at this scope (outside its assignable scopes). */
export class ScopeNotAssignableError extends RbacError {
  static readonly code = "ERR_RBAC_SCOPE_NOT_ASSIGNABLE";
  readonly code = ScopeNotAssignableError.code;
  readonly kind = "invalid";
}

export class RoleDefinitionNotFoundError extends RbacError {
  static readonly code = "ERR_RBAC_ROLE_NOT_FOUND";
  readonly code = RoleDefinitionNotFoundError.code;
  readonly kind = "not_found";
}

export class RoleAssignmentNotFoundError extends RbacError {
  static readonly code = "ERR_RBAC_ASSIGNMENT_NOT_FOUND";
  readonly code = RoleAssignmentNotFoundError.code;
  readonly kind = "not_found";
}

/** The same role is already assigned to the same principal at the same scope. */
export class RoleAssignmentExistsError extends RbacError {
  static readonly code = "ERR_RBAC_ASSIGNMENT_EXISTS";
  readonly code = RoleAssignmentExistsError.code;
  readonly kind = "conflict";
}

/** Name taken, built-in roles are read-only, role still assigned, or scopes would orphan assignments. */
export class RoleDefinitionConflictError extends RbacError {
  static readonly code = "ERR_RBAC_ROLE_CONFLICT";
  readonly code = RoleDefinitionConflictError.code;
  readonly kind = "conflict";
}

/** The repository broke its contract (e.g. a change-feed gap right after a snapshot). */
export class RbacStoreError extends RbacError {
  static readonly code = "ERR_RBAC_STORE";
  readonly code = RbacStoreError.code;
  readonly kind = "internal";
}
