import { type ErrorKind, type HostpassError, isHostpassError } from "../shared/errors.ts";
import { CliInternalError, FileAccessError, InvalidQueryError } from "./errors.ts";
import { toTable, toTsv } from "./lib/formats.ts";

export const OUTPUT_FORMATS = ["json", "jsonc", "table", "tsv", "yaml", "none"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Stable exit codes (docs/errors.md). 1 and 2 as in `az`: generic failure and bad usage; 3 as az's "not found". */
export const EXIT_BY_KIND: Readonly<Record<ErrorKind, number>> = Object.freeze({
  internal: 1,
  invalid: 2,
  not_found: 3,
  unauthenticated: 4,
  forbidden: 5,
  conflict: 6,
  limited: 7,
  unavailable: 8,
});

/** Codes whose exit status the seed fixes (extension set: 22 no managed identity, 23 legacy extension). */
export const EXIT_BY_CODE: ReadonlyMap<string, number> = new Map([
  ["ERR_EXTENSION_NO_MANAGED_IDENTITY", 22],
  ["ERR_EXTENSION_LEGACY_INSTALLED", 23],
  ["ERR_AUDIT_CHAIN_BROKEN", 9],
]);

export const EXIT_OK = 0;
/** Interrupted by SIGINT (Ctrl-C), as shells report it: 128 + 2. */
export const EXIT_INTERRUPTED = 130;
/** Stopped by SIGTERM: 128 + 15. */
export const EXIT_TERMINATED = 143;

export interface OutputOptions {
  readonly output: OutputFormat;
  readonly query?: string;
  /** Colour for jsonc (only when the stream is a terminal). */
  readonly color?: boolean;
  /** The command's table transformer (CliCommand.tableRows): applied for `-o table` without --query. */
  readonly tableRows?: (result: unknown) => unknown;
}

type JmesPath = typeof import("jmespath");
let jmespath: Promise<JmesPath> | undefined;
/** Loaded on first use: most runs have no --query, and start-up time matters (`ssh vm`). */
const loadJmesPath = () => {
  jmespath ??= import("jmespath").then((m) => (m as unknown as { default: JmesPath }).default ?? m);
  return jmespath;
};

/** Fails with ERR_CLI_INVALID_QUERY before a command runs, so a bad --query changes nothing. */
export async function checkQuery(query: string): Promise<void> {
  const { compile } = (await loadJmesPath()) as JmesPath & { compile(expression: string): unknown };
  try {
    compile(query);
  } catch (error) {
    throw new InvalidQueryError(`--query: ${(error as Error).message}`, { cause: error });
  }
}

export async function applyQuery(data: unknown, query: string): Promise<unknown> {
  const { search } = await loadJmesPath();
  try {
    return search(data as never, query);
  } catch (error) {
    throw new InvalidQueryError(`--query: ${(error as Error).message}`, { cause: error });
  }
}

/** Renders a command's result the way `az` does; `undefined` prints nothing. */
export async function formatResult(data: unknown, options: OutputOptions): Promise<string> {
  if (data === undefined) return "";
  const shown = options.query ? await applyQuery(data, options.query) : data;
  switch (options.output) {
    case "none":
      return "";
    case "json":
      return `${JSON.stringify(shown, null, 2)}\n`;
    case "jsonc":
      return `${options.color ? colorJson(shown) : JSON.stringify(shown, null, 2)}\n`;
    case "table":
      return toTable(options.tableRows && !options.query ? options.tableRows(shown) : shown);
    case "tsv":
      return toTsv(shown);
    case "yaml": {
      // YAML 1.1 quoting (`"yes"`, `"on"`), so 1.1 readers such as PyYAML read strings back as strings.
      const { stringify } = await import("yaml");
      return stringify(shown ?? null, { version: "1.1" });
    }
  }
}

/**
 * Every failure as a hostpass error, so it carries a code and a documented exit status: a file
 * system error names the file (ERR_CLI_FILE, exit 2); anything else is ERR_INTERNAL (exit 1).
 */
export function asHostpassError(error: unknown): HostpassError {
  if (isHostpassError(error)) return error;
  const e = error as NodeJS.ErrnoException;
  if (typeof e?.code === "string" && /^E[A-Z]+$/.test(e.code) && typeof e.syscall === "string") {
    const what = FILE_ERRORS[e.code] ?? e.code;
    const path = e.path ? ` ${e.path}` : "";
    return new FileAccessError(`cannot ${e.syscall}${path}: ${what}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CliInternalError(`internal error: ${message} (run again with --debug for details)`, {
    cause: error,
  });
}

const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOTDIR: "a part of the path is not a directory",
  EISDIR: "it is a directory",
  EEXIST: "it exists already",
  ENOSPC: "no space left on the device",
  EROFS: "read-only file system",
};

export function exitCodeFor(error: unknown): number {
  const e = asHostpassError(error);
  return EXIT_BY_CODE.get(e.code) ?? EXIT_BY_KIND[e.kind];
}

/** `ERROR: (code) message` on stderr, like az; the stack only with --debug. */
export function formatError(error: unknown, debug: boolean): string {
  const e = asHostpassError(error);
  const original = isHostpassError(error) ? error : (e.cause as Error | undefined);
  const stack = debug && original instanceof Error && original.stack ? `\n${original.stack}` : "";
  return `ERROR: (${e.code}) ${e.message}${stack}\n`;
}

function colorJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2);
  return text.replace(
    /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g,
    (match, str: string | undefined, colon: string | undefined, literal: string | undefined) => {
      if (str !== undefined) return colon ? `\x1b[94m${str}\x1b[0m${colon}` : `\x1b[32m${str}\x1b[0m`;
      if (literal !== undefined) return `\x1b[35m${match}\x1b[0m`;
      return `\x1b[36m${match}\x1b[0m`;
    },
  );
}
