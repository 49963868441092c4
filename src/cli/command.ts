import type { Command } from "commander";
import type { OutputFormat } from "./output.ts";

/** The global flags every command takes (PRODUCT.md §3). */
export interface GlobalOptions {
  readonly output: OutputFormat;
  readonly query?: string;
  /** `--subscription`: overrides the account's default subscription for this call. */
  readonly subscription?: string;
  readonly debug?: boolean;
  readonly verbose?: boolean;
  readonly onlyShowErrors?: boolean;
}

/** What a command may touch: streams and environment come in, so tests can pass their own. */
export interface CliContext {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly globals: GlobalOptions;
  /** Aborted on SIGINT / SIGTERM; long-running commands stop gracefully when it fires. */
  readonly signal: AbortSignal;
}

/** One example in `--help`, as az shows them: what it does, then the command line. */
export interface Example {
  readonly summary: string;
  readonly command: string;
}

/**
 * One command (`commands/<group>/<verb>.ts`): `configure` declares its options on commander;
 * `run` does the work and returns data (printed by main.ts in the chosen format). `run` never
 * prints its result and never calls process.exit.
 */
export interface CliCommand<A = Record<string, unknown>> {
  /** Words after `hostpass`, e.g. ["role", "assignment", "create"] or ["server"]. */
  readonly path: readonly string[];
  readonly summary: string;
  /** At least one; shown under "Examples" in `--help`. */
  readonly examples: readonly Example[];
  configure(command: Command): void;
  run(ctx: CliContext, args: A): Promise<unknown>;
  /**
   * az's table transformer: the rows `-o table` shows for a result whose data is nested (used only
   * without `--query`, as az does; with one, the query's result is shown as it is).
   */
  readonly tableRows?: (result: unknown) => unknown;
  /**
   * az's `confirmation=True`: the command destroys something (deletes, removes, revokes, ends).
   * main.ts gives it `-y/--yes` and asks "Are you sure" before `run`; without a terminal and
   * without `--yes` it refuses (ERR_CLI_CONFIRMATION_REQUIRED) rather than wait (lib/confirm.ts).
   */
  readonly confirmation?: true;
}

/**
 * A result that is an exit status rather than data: `ssh vm` ends with ssh's own status, which
 * main.ts passes on without printing anything.
 */
export class ExitStatus {
  readonly code: number;
  constructor(code: number) {
    this.code = code;
  }
}
