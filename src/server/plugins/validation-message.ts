/**
 * A schema validation failure (Ajv's first error) in words for people: which field, where (the URL,
 * the query, the request body), and what is allowed, never a raw regular expression or
 * JSON-schema text. Used by `error-handler.ts` for every route at once; the answer also carries
 * the field (`field`, `in`) so the CLI can name its own option for it.
 */
import type { FastifyError } from "fastify";

type AjvError = NonNullable<FastifyError["validation"]>[number] & {
  /** With Ajv's `verbose` option (build-server.ts): the failing keyword's schema value. */
  readonly schema?: unknown;
};

export interface ValidationMessage {
  readonly message: string;
  /** The field's path (`clientId`, `permissions.0.actions`), absent for the whole body or query. */
  readonly field?: string;
  /** `body`, `params` (the URL's path), `querystring` or `headers`. */
  readonly in: string;
}

const PLACE: Readonly<Record<string, string>> = {
  body: "the request body",
  params: "the URL",
  querystring: "the query string",
  headers: "the headers",
};

const DIGITS = /^\^\(\?:0\|\[1-9\]\[0-9\]\{0,(\d+)\}\)\$$/;

/**
 * What each pattern of the API's schemas allows, in words. A pattern missing here is described
 * without its text ("is not in the accepted form"); test/server/validation-messages.test.ts checks
 * that every pattern in /openapi.json has its words.
 */
const PATTERN_WORDS: ReadonlyMap<string, string> = new Map([
  [
    "^(?!\\.+$)[\\p{L}\\p{N}_.()~-]{1,90}$",
    "may contain only letters, digits and the characters _ . ( ) ~ - (1 to 90 of them), and not only dots",
  ],
  [
    "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    "must be a UUID, like 123e4567-e89b-42d3-a456-426614174000",
  ],
  ["^[0-9a-fA-F-]{36}$", "must be a UUID, like 123e4567-e89b-42d3-a456-426614174000"],
  ["^(?:[1-9][0-9]{0,2}|1000)$", "must be a whole number from 1 to 1000"],
  ["^[A-Za-z0-9_-]+$", "may contain only letters, digits, _ and -"],
  ["^[A-Za-z0-9-]+$", "may contain only letters, digits and -"],
  ["^[A-Za-z0-9._-]+$", "may contain only letters, digits, . _ and -"],
  [
    "^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$",
    "must be an action like Compute/virtualMachines/read: names of letters, digits, _ . and - separated by /",
  ],
  ["^[^\\u0000-\\u001f\\u007f]+$", "may not contain control characters (line breaks, tabs, ...)"],
  ["^[\\x20-\\x7e]*$", "may contain only printable ASCII characters"],
  [
    "^[a-z][a-z0-9._@-]{0,31}$",
    "must be a Linux user name: a lower-case letter, then up to 31 lower-case letters, digits, . _ @ or -",
  ],
  ["^[0-9a-fA-F:.]+$", "must be an IP address"],
  ["^[0-9a-f-]{36}@[0-9a-f-]{36}$", "must be <object id>@<tenant id> (two lower-case UUIDs)"],
  ["^ERR_[A-Z0-9_]+$", "must be an error code like ERR_NOT_FOUND"],
]);

/** Words for a pattern, or undefined when it has none (exported for the coverage test). */
export function patternWords(pattern: string): string | undefined {
  const known = PATTERN_WORDS.get(pattern);
  if (known !== undefined) return known;
  const digits = DIGITS.exec(pattern);
  if (digits)
    return `must be a whole number of at most ${Number(digits[1]) + 1} digits, without leading zeros`;
  return undefined;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: "text",
  boolean: "true or false",
  integer: "a whole number",
  number: "a number",
  array: "a list",
  object: "an object",
  null: "null",
};

const characters = (n: unknown) => `${String(n)} character${n === 1 ? "" : "s"}`;
const items = (n: unknown) => `${String(n)} item${n === 1 ? "" : "s"}`;

/**
 * Ajv's errors of `context` (Fastify's `validationContext`) in words: the first, or, when the
 * value failed a union (each branch's error comes before the union's own), the union.
 */
export function validationMessage(
  context: string,
  errors: readonly AjvError[] | undefined,
): ValidationMessage {
  const first = errors?.[0];
  const union = errors?.find(
    (e) => (e.keyword === "anyOf" || e.keyword === "oneOf") && e.instancePath === first?.instancePath,
  );
  return describe(context, union ?? first);
}

function describe(context: string, error: AjvError | undefined): ValidationMessage {
  const place = PLACE[context] ?? `the ${context}`;
  if (error === undefined) return { message: `${place} is not valid`, in: context };
  const params = (error.params ?? {}) as Record<string, unknown>;
  const path = error.instancePath ? error.instancePath.slice(1).replaceAll("/", ".") : "";
  const child = (name: unknown) => (path ? `${path}.${String(name)}` : String(name));

  if (error.keyword === "required") {
    const field = child(params.missingProperty);
    return { message: `${place} is missing ${field}, which is required`, field, in: context };
  }
  if (error.keyword === "additionalProperties") {
    const field = child(params.additionalProperty);
    return { message: `${place} has an unknown field ${field}`, field, in: context };
  }
  const subject = path ? `${path} in ${place}` : place;
  const says = (text: string): ValidationMessage => ({
    message: `${subject} ${text}`,
    ...(path ? { field: path } : {}),
    in: context,
  });
  switch (error.keyword) {
    case "maxLength":
      return says(`is too long: at most ${characters(params.limit)}`);
    case "minLength":
      return says(
        params.limit === 1 ? "may not be empty" : `is too short: at least ${characters(params.limit)}`,
      );
    case "pattern":
      return says(patternWords(String(params.pattern)) ?? "is not in the accepted form");
    case "type":
      return says(`must be ${TYPE_WORDS[String(params.type)] ?? String(params.type)}`);
    case "format":
      return says(
        params.format === "date-time"
          ? "must be a date and time like 2026-01-31T12:00:00Z"
          : `must be a valid ${String(params.format)}`,
      );
    case "maximum":
      return says(`must be at most ${String(params.limit)}`);
    case "minimum":
      return says(`must be at least ${String(params.limit)}`);
    case "maxItems":
      return says(`has too many items: at most ${items(params.limit)}`);
    case "minItems":
      return says(`has too few items: at least ${items(params.limit)}`);
    case "maxProperties":
      return says(`has too many entries: at most ${String(params.limit)}`);
    case "uniqueItems":
      return says("lists the same item twice");
    case "const":
      return says(`must be ${JSON.stringify(params.allowedValue)}`);
    case "enum":
      return says(`must be one of ${listOf(params.allowedValues)}`);
    case "anyOf":
    case "oneOf": {
      const choices = constsOf(error.schema);
      return says(choices ? `must be one of ${listOf(choices)}` : "is not one of the accepted forms");
    }
    default:
      return says("is not valid");
  }
}

/** The values of a union of constants (TypeBox's `Union([Literal(...)])`), if it is one. */
function constsOf(schema: unknown): unknown[] | undefined {
  if (!Array.isArray(schema) || schema.length === 0) return undefined;
  const values: unknown[] = [];
  for (const s of schema) {
    if (typeof s !== "object" || s === null || !("const" in s)) return undefined;
    values.push((s as { const: unknown }).const);
  }
  return values;
}

function listOf(values: unknown): string {
  return Array.isArray(values) ? values.map((v) => JSON.stringify(v)).join(", ") : String(values);
}
