import { type ErrorKind, isHostpassError } from "../shared/errors.ts";
import { InvalidQueryError } from "./errors.ts";
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
      return toTable(shown);
    case "tsv":
      return toTsv(shown);
    case "yaml": {
      // YAML 1.1 quoting (`"yes"`, `"on"`), so 1.1 readers such as PyYAML read strings back as strings.
      const { stringify } = await import("yaml");
      return stringify(shown ?? null, { version: "1.1" });
    }
  }
}

export function exitCodeFor(error: unknown): number {
  if (!isHostpassError(error)) return EXIT_BY_KIND.internal;
  return EXIT_BY_CODE.get(error.code) ?? EXIT_BY_KIND[error.kind];
}

/** `ERROR: (code) message` on stderr, like az; the stack only with --debug. */
export function formatError(error: unknown, debug: boolean): string {
  const head = isHostpassError(error)
    ? `ERROR: (${error.code}) ${error.message}`
    : `ERROR: ${error instanceof Error ? error.message : String(error)}`;
  const stack = debug && error instanceof Error && error.stack ? `\n${error.stack}` : "";
  return `${head}${stack}\n`;
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
