/**
 * Validation of custom role definitions (untrusted input from the API). The engine adds the
 * checks that need state: unique names, assignable scopes that still cover existing assignments.
 */
import { InvalidRoleInputError } from "./errors.ts";
import type { Permissions } from "./repository.ts";
import { parseScope, ROOT_SCOPE } from "./scope.ts";

export interface CustomRoleInput {
  readonly name: string;
  readonly description?: string;
  readonly permissions: Partial<Permissions>;
  readonly assignableScopes: readonly string[];
}

export interface ValidCustomRole {
  readonly name: string;
  readonly description: string;
  readonly permissions: Permissions;
  readonly assignableScopes: readonly string[];
}

const MAX_NAME = 512;
const MAX_DESCRIPTION = 2048;
const MAX_PATTERNS = 1000;
const MAX_SCOPES = 100;
const MAX_PATTERN = 256;
// Operation patterns: `Namespace/type/.../verb`, `*` anywhere a segment (or part of one) may be.
const PATTERN = /^[A-Za-z0-9_.*-]+(\/[A-Za-z0-9_.*-]+)*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function bad(message: string): never {
  throw new InvalidRoleInputError(message);
}

function patterns(field: string, value: unknown): readonly string[] {
  if (value === undefined) return Object.freeze([]);
  if (!Array.isArray(value)) bad(`permissions.${field} must be an array of strings`);
  if (value.length > MAX_PATTERNS) bad(`permissions.${field} has more than ${MAX_PATTERNS} entries`);
  for (const p of value) {
    if (typeof p !== "string" || p.length > MAX_PATTERN || !PATTERN.test(p)) {
      bad(`permissions.${field} contains an invalid operation pattern`);
    }
  }
  return Object.freeze([...new Set(value as string[])]);
}

export function validateCustomRole(input: CustomRoleInput): ValidCustomRole {
  if (input === null || typeof input !== "object") bad("role definition must be an object");
  const name = typeof input.name === "string" ? input.name.trim() : "";
  if (name.length === 0 || name.length > MAX_NAME || CONTROL.test(name)) {
    bad(`role name must be 1 to ${MAX_NAME} printable characters`);
  }
  const description = input.description ?? "";
  if (typeof description !== "string" || description.length > MAX_DESCRIPTION || CONTROL.test(description)) {
    bad(`description must be at most ${MAX_DESCRIPTION} printable characters`);
  }
  const p = input.permissions;
  if (p === null || typeof p !== "object" || Array.isArray(p)) bad("permissions must be an object");
  const permissions: Permissions = Object.freeze({
    actions: patterns("actions", p.actions),
    notActions: patterns("notActions", p.notActions),
    dataActions: patterns("dataActions", p.dataActions),
    notDataActions: patterns("notDataActions", p.notDataActions),
  });
  if (permissions.actions.length === 0 && permissions.dataActions.length === 0) {
    bad("a role needs at least one action or data action");
  }
  const scopes = input.assignableScopes;
  if (!Array.isArray(scopes) || scopes.length === 0 || scopes.length > MAX_SCOPES) {
    bad(`assignableScopes must list 1 to ${MAX_SCOPES} scopes`);
  }
  for (const s of scopes) {
    // Only built-in roles are assignable at the root, as in Azure.
    if (parseScope(s).key === ROOT_SCOPE) bad("a custom role cannot be assignable at the root scope '/'");
  }
  return Object.freeze({
    name,
    description,
    permissions,
    assignableScopes: Object.freeze([...new Set(scopes)]),
  });
}
