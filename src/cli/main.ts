import { Command, CommanderError, Option } from "commander";
import { type CliContext, type Example, ExitStatus, type GlobalOptions } from "./command.ts";
import { COMMANDS, type CommandEntry, GROUPS } from "./commands/index.ts";
import { CliUsageError } from "./errors.ts";
import { configureCommand } from "./lib/options.ts";
import {
  checkQuery,
  EXIT_BY_KIND,
  EXIT_INTERRUPTED,
  EXIT_OK,
  EXIT_TERMINATED,
  exitCodeFor,
  formatError,
  formatResult,
  OUTPUT_FORMATS,
} from "./output.ts";
import { ServiceError } from "./session/errors.ts";
import { VERSION_TEXT } from "./version.ts";

export interface RunOptions {
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream;
  readonly env?: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
}

/** Global options that take a value: their values are not command words. */
const GLOBAL_WITH_VALUE = new Set(["-o", "--output", "--query", "--subscription"]);

/**
 * The commands to load for `argv`: the one it names (the usual case, and the only file loaded),
 * or the group it names (its help), or all of them (top-level help, a mistyped command).
 */
export function commandsFor(argv: readonly string[]): readonly CommandEntry[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (GLOBAL_WITH_VALUE.has(token)) i++;
    else if (token.startsWith("-")) {
      if (!/^--(output|query|subscription)=|^--(debug|verbose|only-show-errors)$/.test(token)) break;
    } else words.push(token);
  }
  const named = COMMANDS.filter((c) => c.path.every((w, i) => words[i] === w));
  if (named.length > 0) {
    const longest = Math.max(...named.map((c) => c.path.length));
    return named.filter((c) => c.path.length === longest);
  }
  const inGroup = COMMANDS.filter((c) => words.length > 0 && words.every((w, i) => c.path[i] === w));
  return inGroup.length > 0 ? inGroup : COMMANDS;
}

/** Parses argv, runs one command, prints its result or error; returns the exit code (never exits). */
export async function runCli(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const signal = options.signal ?? new AbortController().signal;
  const program = buildProgram(stdout, stderr);
  let exitCode = EXIT_OK;
  const commands = await Promise.all(commandsFor(argv).map((c) => c.load()));
  for (const command of commands) {
    const sub = subcommand(program, command.path).description(command.summary);
    configureCommand(sub, command);
    sub.addHelpText("after", renderExamples(command.examples));
    sub.action(async (...params: unknown[]) => {
      // commander passes declared operands first, then the options, then the command itself.
      const self = params.at(-1) as Command;
      const opts = params.at(-2) as Record<string, unknown>;
      const operands = params.slice(0, -2).flat() as string[];
      const args = operands.length > 0 ? { ...opts, operands } : opts;
      const globals = self.optsWithGlobals() as unknown as GlobalOptions;
      const ctx: CliContext = { stdout, stderr, env: options.env ?? process.env, globals, signal };
      try {
        if (globals.query !== undefined) await checkQuery(globals.query);
        // Asked before anything is looked up or changed, as az does (loaded only when needed).
        if (command.confirmation) await (await import("./lib/confirm.ts")).confirm(ctx, opts.yes === true);
        const result = await command.run(ctx, args as never);
        if (result instanceof ExitStatus) {
          exitCode = result.code;
          return;
        }
        stdout.write(
          await formatResult(result, {
            output: globals.output,
            query: globals.query,
            color: isTty(stdout),
            tableRows: command.tableRows,
          }),
        );
      } catch (error) {
        stderr.write(formatError(withOptionOf(error, self), globals.debug === true));
        exitCode = signal.aborted ? interruptedExit(signal) : exitCodeFor(error);
      }
    });
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (["commander.helpDisplayed", "commander.version", "commander.help"].includes(error.code))
        return EXIT_OK;
      const usage = new CliUsageError(error.message.replace(/^error: /, ""));
      if (error.code !== "commander.executeSubCommandAsync") stderr.write(formatError(usage, false));
      return EXIT_BY_KIND.invalid;
    }
    stderr.write(formatError(error, argv.includes("--debug")));
    return exitCodeFor(error);
  }
  return exitCode;
}

/**
 * The service's schema refusal names the API's field (`clientId`); the command's option for it
 * (`--client-id`) is added when the command has one, so the user knows what to change.
 */
function withOptionOf(error: unknown, command: Command): unknown {
  if (!(error instanceof ServiceError) || error.code !== "ERR_VALIDATION") return error;
  const field = error.details.field;
  if (typeof field !== "string" || field.includes(".")) return error;
  const candidates = [field, ...(field.endsWith("Name") ? [field.slice(0, -4), "name"] : [])];
  const option = candidates
    .map((name) => command.options.find((o) => o.attributeName() === name && o.long !== undefined))
    .find((o) => o !== undefined);
  if (option === undefined) return error;
  return new ServiceError(error.status, error.code, `${error.message} (option ${option.long})`, {
    cause: error,
    details: error.details,
  });
}

function interruptedExit(signal: AbortSignal): number {
  return signal.reason === "SIGTERM" ? EXIT_TERMINATED : EXIT_INTERRUPTED;
}

function buildProgram(stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Command {
  const program = new Command("hostpass")
    .description("Log in to Linux machines over OpenSSH with a directory identity.")
    .version(VERSION_TEXT, "--version", "show the versions of hostpass and its parts")
    .addOption(new Option("-o, --output <format>", "output format").choices(OUTPUT_FORMATS).default("json"))
    .option("--query <jmespath>", "JMESPath query applied to the output (https://jmespath.org)")
    .option("--subscription <id>", "subscription id or name (default: the account's default subscription)")
    .option("--debug", "show everything, including HTTP requests and stack traces on errors")
    .option("--verbose", "show more progress information")
    .option("--only-show-errors", "show errors only, no warnings")
    .helpCommand(false)
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({
      writeOut: (s) => void stdout.write(s),
      writeErr: (s) => void stderr.write(s),
      outputError: () => undefined,
    });
  program.addHelpText(
    "after",
    renderExamples([
      { summary: "Sign in, then open a shell on a machine.", command: "hostpass login" },
      { summary: "", command: "hostpass ssh vm -n myVM -g LinuxVMs" },
      { summary: "Help on a group of commands.", command: "hostpass vm -h" },
    ]),
  );
  return program;
}

/** Finds or creates the nested commander command for a path like ["role", "assignment", "create"]. */
function subcommand(program: Command, path: readonly string[]): Command {
  let at = program;
  let prefix = "";
  for (const word of path) {
    prefix = prefix ? `${prefix} ${word}` : word;
    const existing = at.commands.find((c) => c.name() === word);
    at =
      existing ??
      at
        .command(word)
        .description(GROUPS[prefix] ?? "")
        .helpCommand(false)
        .exitOverride()
        .configureOutput(program.configureOutput());
  }
  return at;
}

/** az's help layout: an "Examples" section, each with its summary above the indented command. */
export function renderExamples(examples: readonly Example[]): string {
  if (examples.length === 0) return "";
  const blocks = examples.map((e) => `${e.summary ? `    ${e.summary}\n` : ""}        ${e.command}\n`);
  return `\nExamples\n${blocks.join("\n")}`;
}

function isTty(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/** Entry point when run as a program: signals abort the running command; a second one exits at once. */
async function main(): Promise<void> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(signal === "SIGINT" ? EXIT_INTERRUPTED : EXIT_TERMINATED);
    controller.abort(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.exitCode = await runCli(process.argv.slice(2), { signal: controller.signal });
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
}

if (import.meta.main) await main();
