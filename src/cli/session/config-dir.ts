/**
 * The CLI's per-OS-user state lives in one directory: `$HOSTPASS_CONFIG_DIR`, else `~/.hostpass`.
 * It is created 0700; files in it are 0600 and written atomically. A file that is a symlink, not
 * owned by this user, or readable by others is refused rather than trusted.
 */
import { lstat, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../../shared/atomic-write.ts";
import { makeDirectory } from "../../shared/make-directory.ts";
import { CliStateError } from "./errors.ts";

/** Where `hostpass server` keeps its state by default: /var/lib for root, else the home directory. */
export function defaultServerDataDir(): string {
  return process.getuid?.() === 0 ? "/var/lib/hostpass" : join(homedir(), ".hostpass", "server");
}

export function configDir(env: NodeJS.ProcessEnv): string {
  return env.HOSTPASS_CONFIG_DIR || join(homedir(), ".hostpass");
}

async function ensureDir(dir: string): Promise<void> {
  await makeDirectory(dir);
  const st = await lstat(dir);
  if (!st.isDirectory() || st.isSymbolicLink()) throw new CliStateError(`${dir} is not a directory`);
  if (typeof process.getuid === "function" && st.uid !== process.getuid())
    throw new CliStateError(`${dir} is owned by another user`);
  if (st.mode & 0o077) throw new CliStateError(`${dir} is accessible by other users; run: chmod 700 ${dir}`);
}

/** Reads a JSON state file; a missing file gives `fallback`. */
export async function readState<T>(dir: string, name: string, fallback: T): Promise<T> {
  const path = join(dir, name);
  let st: Awaited<ReturnType<typeof lstat>>;
  try {
    st = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return fallback;
    throw error;
  }
  if (!st.isFile()) throw new CliStateError(`${path} is not a regular file`);
  if (typeof process.getuid === "function" && st.uid !== process.getuid())
    throw new CliStateError(`${path} is owned by another user; remove it and sign in again`);
  if (st.mode & 0o077) throw new CliStateError(`${path} is readable by other users; run: chmod 600 ${path}`);
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch (cause) {
    throw new CliStateError(`${path} is not valid JSON; remove it and sign in again`, { cause });
  }
}

export async function writeState(dir: string, name: string, value: unknown): Promise<void> {
  await ensureDir(dir);
  await writeFileAtomic(join(dir, name), `${JSON.stringify(value, null, 2)}\n`, 0o600);
}
