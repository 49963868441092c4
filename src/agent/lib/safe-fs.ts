/**
 * File access for a root process that must never be steered by a local user: paths are opened
 * without following symlinks (O_NOFOLLOW), every directory from the host root down to the file
 * is checked (a real directory, owned by root, not writable by group or others), and writes go
 * through a synced temp file renamed over the destination (rename replaces a link, never follows
 * it). Because each checked directory is writable by root only, no one but root can swap a
 * component between the check and the write.
 */
import { constants } from "node:fs";
import { chmod, lstat, mkdir, open, unlink } from "node:fs/promises";
import { dirname, relative, sep } from "node:path";
import { type StagedFile, stageFileAtomic, syncDirectory } from "../../shared/atomic-write.ts";
import { UnsafePathError } from "../errors.ts";

export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

const ROOT_OWNER: Owner = { uid: 0, gid: 0 };

/** The directories from `root` (inclusive) down to `dir` (inclusive). */
function chain(root: string, dir: string): string[] {
  const rel = relative(root, dir);
  if (rel.startsWith("..") || rel.startsWith(sep)) throw new TypeError(`${dir} is outside ${root}`);
  const out = [root];
  let current = root;
  for (const part of rel.split(sep).filter(Boolean)) {
    current = `${current.endsWith(sep) ? current : current + sep}${part}`;
    out.push(current);
  }
  return out;
}

async function checkDirectory(dir: string): Promise<void> {
  const st = await lstat(dir);
  if (st.isSymbolicLink()) throw new UnsafePathError(`${dir} is a symlink; the agent does not follow links`);
  if (!st.isDirectory()) throw new UnsafePathError(`${dir} is not a directory`);
  if (st.uid !== 0) throw new UnsafePathError(`${dir} is not owned by root`);
  if ((st.mode & 0o022) !== 0) throw new UnsafePathError(`${dir} is writable by group or others`);
}

/** Checks every directory from `root` down to `dir`; throws UnsafePathError. */
export async function checkDirectories(root: string, dir: string): Promise<void> {
  for (const d of chain(root, dir)) await checkDirectory(d);
}

/** Like checkDirectories, but `false` (instead of an error) when a directory does not exist. */
async function checkExistingDirectories(root: string, dir: string): Promise<boolean> {
  try {
    await checkDirectories(root, dir);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

/**
 * Creates the missing directories from `root` down to `dir` (root-owned; `mode` for `dir`, 0755
 * above it), checking each; returns the ones it made, outermost first.
 */
export async function ensureDirectory(root: string, dir: string, mode = 0o755): Promise<string[]> {
  const made: string[] = [];
  for (const d of chain(root, dir)) {
    try {
      await mkdir(d, { mode: d === dir ? mode : 0o755 });
      await chmod(d, d === dir ? mode : 0o755); // exact, whatever the umask
      made.push(d);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    await checkDirectory(d);
  }
  return made;
}

/** Reads a managed file without following a link; `undefined` when it does not exist. */
export async function readManaged(root: string, path: string): Promise<Buffer | undefined> {
  if (!(await checkExistingDirectories(root, dirname(path)))) return undefined;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ELOOP") throw new UnsafePathError(`${path} is a symlink; the agent does not follow links`);
    throw error;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new UnsafePathError(`${path} is not a regular file`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * Stages `data` for `path` after checking its directories; the caller checks the temp file
 * (visudo, sshd) and commits or discards it.
 */
export async function stageManaged(
  root: string,
  path: string,
  data: string | Uint8Array,
  mode: number,
  owner: Owner = ROOT_OWNER,
): Promise<StagedFile> {
  await checkDirectories(root, dirname(path));
  return stageFileAtomic(path, data, { mode, owner });
}

/** Atomically replaces `path` with `data` (temp, fsync, rename, directory fsync). */
export async function writeManaged(
  root: string,
  path: string,
  data: string | Uint8Array,
  mode: number,
  owner: Owner = ROOT_OWNER,
): Promise<void> {
  const staged = await stageManaged(root, path, data, mode, owner);
  try {
    await staged.commit();
  } catch (error) {
    await staged.discard();
    throw error;
  }
}

/** Removes a managed file (unlink never follows a link); nothing when it is already gone. */
export async function removeManaged(root: string, path: string): Promise<boolean> {
  if (!(await checkExistingDirectories(root, dirname(path)))) return false;
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
  await syncDirectory(dirname(path));
  return true;
}
