import { Command, CommanderError, Option } from "commander";
import type { CliCommand, CliContext, GlobalOptions } from "./command.ts";
import {
  accountListCommand,
  accountSetCommand,
  accountShowCommand,
  logoutCommand,
} from "./commands/account.ts";
import { auditVerifyCommand } from "./commands/audit-verify.ts";
import { CLOUD_COMMANDS } from "./commands/cloud.ts";
import { deviceRegisterCommand, deviceShowCommand } from "./commands/device.ts";
import { loginCommand } from "./commands/login.ts";
import { serverCommand } from "./commands/server.ts";
import { sshCertCommand } from "./commands/ssh-cert.ts";
import { CliUsageError } from "./errors.ts";
import {
  EXIT_BY_KIND,
  EXIT_INTERRUPTED,
  EXIT_OK,
  exitCodeFor,
  formatError,
  formatResult,
  OUTPUT_FORMATS,
} from "./output.ts";

/** Every command of the CLI; each lives in its own file under commands/. */
export const COMMANDS = [
  serverCommand,
  loginCommand,
  logoutCommand,
  accountShowCommand,
  accountListCommand,
  accountSetCommand,
  sshCertCommand,
  auditVerifyCommand,
  deviceRegisterCommand,
  deviceShowCommand,
  ...CLOUD_COMMANDS,
] as readonly CliCommand<never>[];

export interface RunOptions {
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream;
  readonly env?: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
}

/** Parses argv, runs one command, prints its result or error; returns the exit code (never exits). */
export async function runCli(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const program = buildProgram(stdout, stderr);
  let exitCode = EXIT_OK;
  for (const command of COMMANDS) {
    const sub = subcommand(program, command.path).description(command.summary);
    command.configure(sub);
    sub.action(async (args: Record<string, unknown>, self: Command) => {
      const globals = self.optsWithGlobals() as unknown as GlobalOptions;
      const ctx: CliContext = {
        stdout,
        stderr,
        env: options.env ?? process.env,
        globals,
        signal: options.signal ?? new AbortController().signal,
      };
      try {
        const result = await command.run(ctx, args as never);
        stdout.write(
          formatResult(result, { output: globals.output, query: globals.query, color: isTty(stdout) }),
        );
      } catch (error) {
        stderr.write(formatError(error, globals.debug === true));
        exitCode = exitCodeFor(error);
      }
    });
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.code === "commander.help"
      )
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

function buildProgram(stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Command {
  const program = new Command("hostpass")
    .description("Log in to Linux machines over OpenSSH with a directory identity.")
    .addOption(new Option("-o, --output <format>", "output format").choices(OUTPUT_FORMATS).default("json"))
    .option("--query <jmespath>", "JMESPath query applied to the output (https://jmespath.org)")
    .option("--subscription <id>", "subscription id or name (default: the account's default subscription)")
    .option("--debug", "show everything, including stack traces on errors")
    .option("--verbose", "show more progress information")
    .option("--only-show-errors", "show errors only, no warnings")
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({
      writeOut: (s) => void stdout.write(s),
      writeErr: (s) => void stderr.write(s),
      outputError: () => undefined,
    });
  return program;
}

/** Finds or creates the nested commander command for a path like ["role", "assignment", "create"]. */
/** Descriptions of command groups (the words before a verb). */
const GROUPS: Record<string, string> = {
  account: "Manage the signed-in accounts.",
  audit: "Operator checks of the activity log.",
  cloud: "Manage cloud profiles: the hostpass services this CLI can talk to.",
  device: "This machine's device identity, for conditional access.",
  ssh: "SSH into Linux machines with short-lived certificates.",
};

function subcommand(program: Command, path: readonly string[]): Command {
  let at = program;
  for (const word of path) {
    const existing = at.commands.find((c) => c.name() === word);
    at =
      existing ??
      at
        .command(word)
        .description(GROUPS[word] ?? "")
        .exitOverride()
        .configureOutput(program.configureOutput());
  }
  return at;
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
    if (signals > 1) process.exit(signal === "SIGINT" ? EXIT_INTERRUPTED : 143);
    controller.abort(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.exitCode = await runCli(process.argv.slice(2), { signal: controller.signal });
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
}

if (import.meta.main) await main();
