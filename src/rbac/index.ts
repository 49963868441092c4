/** Role-based access control: role definitions, assignments and explained access checks. */
export { type Actor, SYSTEM_ACTOR } from "./actor.ts";
export {
  BUILT_IN_ROLE_IDS,
  BUILT_IN_ROLES,
  DATA_ACTIONS,
  LOGIN_ACTION,
  LOGIN_AS_ADMIN_ACTION,
  ROLE_ASSIGNMENT_DELETE,
  ROLE_ASSIGNMENT_WRITE,
  ROLE_DEFINITION_DELETE,
  ROLE_DEFINITION_WRITE,
  SCALE_SET_LOGIN_ACTION,
  SCALE_SET_LOGIN_AS_ADMIN_ACTION,
} from "./built-in-roles.ts";
export { checkLogin, type LoginDecision } from "./check-login.ts";
export {
  type CreateRoleAssignmentInput,
  type CreateRoleAssignmentOptions,
  createRoleAssignment,
  planRoleAssignment,
} from "./create-role-assignment.ts";
export { type CustomRoleInput, type ValidCustomRole, validateCustomRole } from "./custom-role.ts";
export { deleteCustomRole, planCustomRoleDeletion } from "./delete-custom-role.ts";
export { deleteRoleAssignment, planRoleAssignmentDeletion } from "./delete-role-assignment.ts";
export {
  AuthorizationFailedError,
  InvalidRoleInputError,
  InvalidScopeError,
  RbacError,
  RbacStoreError,
  RoleAssignmentExistsError,
  RoleAssignmentNotFoundError,
  RoleDefinitionConflictError,
  RoleDefinitionNotFoundError,
  ScopeNotAssignableError,
} from "./errors.ts";
export {
  computeHostLogins,
  type HostLoginDelta,
  type HostLoginDirectory,
  HostLoginIndex,
  hostLoginOf,
  hostLoginRefusal,
  type LoginCandidate,
  loginGrantees,
} from "./host-logins.ts";
export type { DecisionGraphSource, Membership } from "./lib/decision-graph.ts";
export { loginDataAction } from "./login-action.ts";
export { MemoryRbacRepository } from "./memory-repository.ts";
export { type PutCustomRoleOptions, planCustomRole, putCustomRole } from "./put-custom-role.ts";
export {
  type ChangeFollower,
  type CheckResult,
  type Grant,
  type GroupClosure,
  type Principal,
  RbacEngine,
  type RbacEngineOptions,
  type ScopeAncestry,
} from "./rbac-engine.ts";
export {
  isRbacChange,
  type Page,
  type PageRequest,
  type Permissions,
  type PrincipalType,
  RBAC_CHANGE_KINDS,
  type RbacChange,
  type RbacRepository,
  type RbacSnapshot,
  type RoleAssignment,
  type RoleAssignmentFilter,
  type RoleDefinition,
} from "./repository.ts";
export {
  isWithinScope,
  type ParsedScope,
  parseScope,
  ROOT_SCOPE,
  type ScopeLevel,
  scopeKey,
} from "./scope.ts";
