/**
 * az's "Are you sure you want to perform this operation? (y/n)" for destructive commands (those
 * with `confirmation: true`; main.ts asks before `run`, so nothing is looked up or changed first).
 */
import { createInterface } from "node:readline/promises";
import type { CliContext } from "../command.ts";
import { CancelledError, ConfirmationRequiredError } from "../errors.ts";

/** Resolves when confirmed; refuses without a terminal (scripts pass --yes), never waits on a pipe. */
export async function confirm(
  ctx: CliContext,
  yes: boolean | undefined,
  stdin: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin,
): Promise<void> {
  if (yes) return;
  if (!stdin.isTTY)
    throw new ConfirmationRequiredError(
      "Unable to prompt for confirmation as no tty is available. Use --yes.",
    );
  const rl = createInterface({ input: stdin, output: ctx.stderr });
  try {
    const answer = await rl.question("Are you sure you want to perform this operation? (y/n): ", {
      signal: ctx.signal,
    });
    if (!/^y(es)?$/i.test(answer.trim())) throw new CancelledError("Operation cancelled.");
  } finally {
    rl.close();
  }
}
