/** Turning command-line values into what the API takes, with a usage error naming the flag. */
import { readFile } from "node:fs/promises";
import { CliUsageError } from "../errors.ts";

export function parseTags(tags: readonly string[] | undefined): Record<string, string> | undefined {
  if (tags === undefined) return undefined;
  const result: Record<string, string> = Object.create(null);
  for (const pair of tags) {
    if (pair === "") continue;
    const at = pair.indexOf("=");
    const key = at < 0 ? pair : pair.slice(0, at);
    if (!key) throw new CliUsageError(`--tags: ${JSON.stringify(pair)} has no key`);
    result[key] = at < 0 ? "" : pair.slice(at + 1);
  }
  return { ...result };
}

/** `true|false` (also `yes|no`, `1|0`), as az's three-state flags take them. */
export function parseBoolean(flag: string, value: string): boolean {
  const v = value.toLowerCase();
  if (["true", "yes", "1"].includes(v)) return true;
  if (["false", "no", "0"].includes(v)) return false;
  throw new CliUsageError(`${flag}: expected true or false, got ${JSON.stringify(value)}`);
}

/** A JSON document given inline or as `@file` (az's convention for `--role-definition`, `--body`). */
export async function readJsonArgument(flag: string, value: string): Promise<unknown> {
  let text = value;
  if (value.startsWith("@")) {
    text = await readFile(value.slice(1), "utf8").catch((cause: NodeJS.ErrnoException) => {
      throw new CliUsageError(`${flag}: cannot read ${value.slice(1)} (${cause.code ?? cause.message})`, {
        cause,
      });
    });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new CliUsageError(`${flag}: not valid JSON (${(cause as Error).message})`, { cause });
  }
}

export function parseInteger(flag: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value))
    throw new CliUsageError(`${flag}: expected a whole number, got ${JSON.stringify(value)}`);
  const n = Number(value);
  if (n < min || n > max) throw new CliUsageError(`${flag}: must be between ${min} and ${max}`);
  return n;
}

/** A TCP port: 1-65535 (`min` 0 where 0 means "any free port"), digits only, as a number. */
export function parsePort(flag: string, value: string, min: 0 | 1 = 1): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) < min || Number(value) > 65535)
    throw new CliUsageError(
      `${flag}: ${JSON.stringify(value.slice(0, 50))} is not a port number (${min}-65535)`,
    );
  return Number(value);
}
