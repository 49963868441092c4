/** az's "Are you sure you want to perform this operation? (y/n)" for destructive commands. */
import { createInterface } from "node:readline/promises";
import type { CliContext } from "../command.ts";
import { CliUsageError } from "../errors.ts";

/** Resolves when confirmed; refuses without a terminal (scripts pass --yes), never waits on a pipe. */
export async function confirm(
  ctx: CliContext,
  yes: boolean | undefined,
  stdin = process.stdin,
): Promise<void> {
  if (yes) return;
  if (!stdin.isTTY)
    throw new CliUsageError("Unable to prompt for confirmation as no tty is available. Use --yes.");
  const rl = createInterface({ input: stdin, output: ctx.stderr });
  try {
    const answer = await rl.question("Are you sure you want to perform this operation? (y/n): ", {
      signal: ctx.signal,
    });
    if (!/^y(es)?$/i.test(answer.trim())) throw new CliUsageError("Operation cancelled.");
  } finally {
    rl.close();
  }
}
