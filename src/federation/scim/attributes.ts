/**
 * What hostpass takes from a SCIM User or Group body (RFC 7643 §4), checked. Attributes the
 * directory has (userName = UPN, displayName, active) go to the directory; the optional ones
 * (name, emails, title, the enterprise extension, ...) are kept as given next to the principal.
 * Read-only attributes in a body (id, meta, groups, the uid) are ignored, as RFC 7644 §3.5.1 says;
 * attributes hostpass does not know are ignored too, so a provider's extra mappings do no harm.
 */
import { ScimInvalidSyntaxError, ScimInvalidValueError } from "../errors.ts";
import {
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  HOSTPASS_USER_SCHEMA,
  USER_MULTI_ATTRIBUTES,
  USER_SCHEMA,
  USER_STRING_ATTRIBUTES,
} from "./schemas.ts";

const MAX_TEXT = 1024;
const MAX_VALUES = 50;
const UNPRINTABLE = /[\p{Cc}\p{Cs}]/u;

export interface UserInput {
  readonly userName: string;
  readonly displayName: string | undefined;
  readonly active: boolean | undefined;
  readonly externalId: string | undefined;
  /** hostpass extension: an explicit Linux name (creation only). */
  readonly linuxName: string | undefined;
  readonly attributes: Readonly<Record<string, unknown>>;
}

export interface GroupInput {
  readonly displayName: string;
  readonly externalId: string | undefined;
  /** Member object ids, as given (checked against the directory by the caller). */
  readonly members: readonly string[] | undefined;
}

type Body = Record<string, unknown>;

function object(value: unknown, what: string): Body {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new ScimInvalidSyntaxError(`${what} must be a JSON object`);
  return value as Body;
}

/** Members looked up ignoring case, as SCIM attribute names are case-insensitive. */
function member(body: Body, name: string): unknown {
  const lower = name.toLowerCase();
  const key = Object.keys(body).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : body[key];
}

function text(value: unknown, what: string, max = MAX_TEXT): string {
  if (typeof value !== "string") throw new ScimInvalidValueError(`${what} must be a string`);
  if (value.length === 0 || value.length > max)
    throw new ScimInvalidValueError(`${what} must be 1 to ${max} characters`);
  if (UNPRINTABLE.test(value)) throw new ScimInvalidValueError(`${what} contains control characters`);
  return value;
}

function optionalText(value: unknown, what: string, max = MAX_TEXT): string | undefined {
  return value === undefined || value === null ? undefined : text(value, what, max);
}

function checkSchemas(body: Body, core: string, extensions: readonly string[]): void {
  const schemas = member(body, "schemas");
  if (!Array.isArray(schemas) || !schemas.every((s) => typeof s === "string"))
    throw new ScimInvalidSyntaxError("schemas must be a list of schema URNs");
  const known = new Set([core, ...extensions].map((s) => s.toLowerCase()));
  if (!schemas.some((s) => (s as string).toLowerCase() === core.toLowerCase()))
    throw new ScimInvalidSyntaxError(`schemas must include ${core}`);
  const unknown = schemas.find((s) => !known.has((s as string).toLowerCase()));
  if (unknown !== undefined)
    throw new ScimInvalidSyntaxError(`unknown schema '${String(unknown).slice(0, 128)}'`);
}

/** `active` as a boolean. Entra ID sends "True"/"False" as text in PATCH; both spellings are taken. */
export function activeValue(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
  throw new ScimInvalidValueError("active must be true or false");
}

function flatObject(value: unknown, what: string): Record<string, string | boolean> {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new ScimInvalidValueError(`${what} must be an object`);
  const out: Record<string, string | boolean> = Object.create(null);
  for (const [k, v] of Object.entries(value)) {
    if (!/^[A-Za-z$][A-Za-z0-9$_-]{0,63}$/.test(k))
      throw new ScimInvalidValueError(`${what} has an invalid member name`);
    if (typeof v === "boolean") out[k] = v;
    else if (v !== null && v !== undefined) out[k] = text(v, `${what}.${k}`);
  }
  return { ...out };
}

function multiValued(value: unknown, what: string): Record<string, string | boolean>[] {
  if (!Array.isArray(value)) throw new ScimInvalidValueError(`${what} must be a list`);
  if (value.length > MAX_VALUES)
    throw new ScimInvalidValueError(`${what} has more than ${MAX_VALUES} values`);
  const values = value.map((v, i) => flatObject(v, `${what}[${i}]`));
  if (values.filter((v) => v.primary === true).length > 1)
    throw new ScimInvalidValueError(`${what} has more than one primary value`);
  return values;
}

/** The enterprise extension: text members, and `manager` as `{ value }`. */
function enterprise(value: unknown): Record<string, unknown> {
  const body = object(value, ENTERPRISE_USER_SCHEMA);
  const out: Record<string, unknown> = {};
  for (const name of ["employeeNumber", "costCenter", "organization", "division", "department"]) {
    const v = optionalText(member(body, name), name);
    if (v !== undefined) out[name] = v;
  }
  const manager = member(body, "manager");
  if (manager !== undefined && manager !== null) {
    const m = flatObject(manager, "manager");
    out.manager = { ...(typeof m.value === "string" ? { value: m.value } : {}) };
  }
  return out;
}

/** A User body of POST or PUT. */
export function parseUserBody(input: unknown): UserInput {
  const body = object(input, "the request body");
  checkSchemas(body, USER_SCHEMA, [ENTERPRISE_USER_SCHEMA, HOSTPASS_USER_SCHEMA]);
  if (member(body, "password") !== undefined)
    throw new ScimInvalidValueError(
      "hostpass takes no passwords through SCIM: provisioned users sign in through the organisation's provider",
    );
  const userName = text(member(body, "userName"), "userName", 256);
  const attributes: Record<string, unknown> = {};
  const name = member(body, "name");
  if (name !== undefined && name !== null) attributes.name = flatObject(name, "name");
  for (const a of USER_STRING_ATTRIBUTES) {
    const v = optionalText(member(body, a), a);
    if (v !== undefined) attributes[a] = v;
  }
  for (const a of USER_MULTI_ATTRIBUTES) {
    const v = member(body, a);
    if (v !== undefined && v !== null) attributes[a] = multiValued(v, a);
  }
  const ext = member(body, ENTERPRISE_USER_SCHEMA);
  if (ext !== undefined && ext !== null) attributes[ENTERPRISE_USER_SCHEMA] = enterprise(ext);
  const own = member(body, HOSTPASS_USER_SCHEMA);
  const linuxName =
    own === undefined || own === null
      ? undefined
      : optionalText(member(object(own, HOSTPASS_USER_SCHEMA), "linuxName"), "linuxName", 64);
  const active = member(body, "active");
  return {
    userName,
    displayName: optionalText(member(body, "displayName"), "displayName", 256),
    active: active === undefined || active === null ? undefined : activeValue(active),
    externalId: optionalText(member(body, "externalId"), "externalId", 256),
    linuxName,
    attributes,
  };
}

/** A display name for a user the client gave none: name.formatted, given + family name, or userName. */
export function displayNameOf(input: UserInput): string {
  if (input.displayName !== undefined) return input.displayName;
  const name = input.attributes.name as Record<string, unknown> | undefined;
  if (typeof name?.formatted === "string") return name.formatted;
  const parts = [name?.givenName, name?.familyName].filter((p): p is string => typeof p === "string");
  return parts.length > 0 ? parts.join(" ") : input.userName;
}

/** A Group body of POST or PUT. */
export function parseGroupBody(input: unknown): GroupInput {
  const body = object(input, "the request body");
  checkSchemas(body, GROUP_SCHEMA, []);
  const members = member(body, "members");
  return {
    displayName: text(member(body, "displayName"), "displayName", 256),
    externalId: optionalText(member(body, "externalId"), "externalId", 256),
    members: members === undefined || members === null ? undefined : memberIds(members),
  };
}

/** `members` values: `[{ "value": "<id>" }, …]`. */
export function memberIds(value: unknown): string[] {
  if (!Array.isArray(value)) throw new ScimInvalidValueError("members must be a list");
  return value.map((m, i) => {
    const v =
      m !== null && typeof m === "object" && !Array.isArray(m) ? member(m as Body, "value") : undefined;
    return text(v, `members[${i}].value`, 64).toLowerCase();
  });
}
