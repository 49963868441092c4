/**
 * SCIM PATCH (RFC 7644 §3.5.2) on the resource as SCIM shows it, by `scim-patch`; the result is
 * then checked like a PUT body. Attributes that cannot change (id, meta, the uid, userName, ...)
 * must come out as they went in, else `mutability`.
 */
import { isDeepStrictEqual } from "node:util";
import { patchBodyValidation, type ScimError, type ScimPatchOperation, scimPatch } from "scim-patch";
import {
  ScimInvalidPathError,
  ScimInvalidSyntaxError,
  ScimInvalidValueError,
  ScimMutabilityError,
  ScimNoTargetError,
} from "../errors.ts";
import { activeValue } from "./attributes.ts";
import { PATCH_OP } from "./schemas.ts";

const MAX_OPERATIONS = 1000;

export function applyScimPatch(
  resource: Record<string, unknown>,
  body: unknown,
  immutable: readonly string[],
): Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw new ScimInvalidSyntaxError("the request body must be a PatchOp message");
  const message = body as { schemas?: unknown; Operations?: unknown };
  if (!Array.isArray(message.schemas) || !message.schemas.includes(PATCH_OP))
    throw new ScimInvalidSyntaxError(`schemas must be ["${PATCH_OP}"]`);
  if (!Array.isArray(message.Operations) || message.Operations.length === 0)
    throw new ScimInvalidSyntaxError("Operations must be a non-empty list");
  if (message.Operations.length > MAX_OPERATIONS)
    throw new ScimInvalidSyntaxError(`at most ${MAX_OPERATIONS} operations in one PATCH`);
  const operations = message.Operations.map(normalizeOperation).flatMap((op) => removeByValue(resource, op));
  if (operations.length === 0) return structuredClone(resource); // only removals of absent values
  let patched: Record<string, unknown>;
  try {
    patchBodyValidation({ schemas: [PATCH_OP], Operations: operations });
    patched = scimPatch(structuredClone(resource) as never, operations, {
      mutateDocument: false,
      treatMissingAsAdd: true,
    }) as unknown as Record<string, unknown>;
  } catch (error) {
    throw translate(error);
  }
  for (const name of immutable) {
    if (!isDeepStrictEqual(resource[name], patched[name]))
      throw new ScimMutabilityError(`${name} cannot be changed`);
  }
  return patched;
}

/** `op` in any case; `active` as text (Entra ID sends "False") made a boolean. */
function normalizeOperation(raw: unknown, index: number): ScimPatchOperation {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new ScimInvalidSyntaxError(`Operations[${index}] must be an object`);
  const op = raw as { op?: unknown; path?: unknown; value?: unknown };
  if (typeof op.op !== "string" || !/^(add|remove|replace)$/i.test(op.op))
    throw new ScimInvalidSyntaxError(`Operations[${index}].op must be add, remove or replace`);
  if (op.path !== undefined && (typeof op.path !== "string" || op.path.length === 0 || op.path.length > 512))
    throw new ScimInvalidPathError(`Operations[${index}].path must be an attribute path`);
  let value = op.value;
  if (typeof op.path === "string" && op.path.toLowerCase() === "active") value = activeValue(value);
  else if (op.path === undefined && value !== null && typeof value === "object" && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    const key = Object.keys(v).find((k) => k.toLowerCase() === "active");
    if (key !== undefined) value = { ...v, [key]: activeValue(v[key]) };
  }
  return {
    op: op.op.toLowerCase() as "add",
    ...(op.path === undefined ? {} : { path: op.path }),
    ...(value === undefined ? {} : { value }),
  };
}

/**
 * `{ op: remove, path: members, value: [{ value: id }] }` (Entra ID's form) as one filtered remove
 * per value that is there; a value that is not there is already removed.
 */
function removeByValue(resource: Record<string, unknown>, op: ScimPatchOperation): ScimPatchOperation[] {
  if (op.op !== "remove" || op.path === undefined || !/^[A-Za-z]+$/.test(op.path) || !Array.isArray(op.value))
    return [op];
  const key = Object.keys(resource).find((k) => k.toLowerCase() === op.path?.toLowerCase());
  const current = key === undefined ? [] : resource[key];
  if (!Array.isArray(current)) return [op];
  const present = new Set(current.map((c) => (c as { value?: unknown }).value));
  return op.value.flatMap((v: unknown) => {
    const value = v !== null && typeof v === "object" ? (v as { value?: unknown }).value : undefined;
    if (typeof value !== "string")
      throw new ScimInvalidValueError(`${op.path} values to remove need a value`);
    return present.has(value)
      ? [{ op: "remove" as const, path: `${key}[value eq ${JSON.stringify(value)}]` }]
      : [];
  });
}

function translate(error: unknown): Error {
  const scim = error as ScimError & { scimCode?: string };
  if (!(error instanceof Error) || !("scimCode" in scim || scim.name?.startsWith?.("Invalid")))
    return error instanceof Error ? error : new Error(String(error));
  const message = (error.message || "the patch cannot be applied").slice(0, 300);
  switch (scim.scimCode) {
    case "noTarget":
      return new ScimNoTargetError(message);
    case "invalidPath":
      return new ScimInvalidPathError(message);
    case "invalidSyntax":
      // scim-patch calls a malformed path a syntax error; RFC 7644 §3.12 names it invalidPath.
      return / path /.test(message) ? new ScimInvalidPathError(message) : new ScimInvalidSyntaxError(message);
    default:
      return new ScimInvalidValueError(message);
  }
}
