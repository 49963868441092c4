/** Runs the real CLI in-process with captured output (and an optional live view of stderr). */
import { PassThrough } from "node:stream";
import { runCli } from "../../src/cli/main.ts";

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export async function runCliCaptured(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  onStderr?: (soFar: string) => void,
): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => {
    out += c.toString();
  });
  stderr.on("data", (c: Buffer) => {
    err += c.toString();
    onStderr?.(err);
  });
  const code = await runCli(args, { stdout, stderr, env });
  return { code, out, err };
}
