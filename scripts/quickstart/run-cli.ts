/** The real `hostpass` CLI, run as a user would, with a given profile directory. */
import { spawn } from "node:child_process";
import { HOSTPASS } from "./paths.ts";

export interface CliProfile {
  /** HOSTPASS_CONFIG_DIR */
  readonly configDir: string;
  /** HOME (where `--generate-ssh-keys` writes); default the caller's. */
  readonly home?: string;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function cliEnv(profile: CliProfile): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HOSTPASS_CONFIG_DIR: profile.configDir,
    HOSTPASS_NO_BROWSER: "1",
    ...(profile.home ? { HOME: profile.home } : {}),
  };
}

/** Runs `hostpass <args>`; `onStderr` sees stderr as it comes (the sign-in URL). */
export function runCli(
  profile: CliProfile,
  args: readonly string[],
  onStderr?: (text: string) => void,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(HOSTPASS, args, { env: cliEnv(profile), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      onStderr?.(stderr);
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Runs a command that must succeed and answers its JSON output (`-o json`). */
export async function cliJson<T = Record<string, unknown>>(
  profile: CliProfile,
  args: readonly string[],
): Promise<T> {
  const result = await runCli(profile, [...args, "-o", "json"]);
  if (result.code !== 0) {
    throw new Error(`hostpass ${args.join(" ")} failed (exit ${result.code}): ${result.stderr.trim()}`);
  }
  return (result.stdout.trim() === "" ? {} : JSON.parse(result.stdout)) as T;
}

/** Like `cliJson`, but "not found" (exit 3) is `undefined`: how each step finds what a previous run made. */
export async function cliFind<T = Record<string, unknown>>(
  profile: CliProfile,
  args: readonly string[],
): Promise<T | undefined> {
  const result = await runCli(profile, [...args, "-o", "json"]);
  if (result.code === 3) return undefined;
  if (result.code !== 0) {
    throw new Error(`hostpass ${args.join(" ")} failed (exit ${result.code}): ${result.stderr.trim()}`);
  }
  return JSON.parse(result.stdout) as T;
}
