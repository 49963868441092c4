/**
 * `mkdir -p` that always ends. Node's own `mkdir(path, { recursive: true })` (libuv's walk) spins
 * forever where a parent exists but cannot hold children: under /proc or /sys (mkdir answers
 * ENOENT there, the walk makes the parent, gets EEXIST, and tries the child again) and below a
 * dangling symlink; `hostpass ssh config --file /proc/nope/x` hung on it. Here the child is tried
 * again once after its parent exists: a second ENOENT is the answer. Node built-ins only (it is on
 * `ssh vm`'s start-up path).
 */
import { mkdir, stat } from "node:fs/promises";
import { dirname } from "node:path";

/** Makes `path` and its missing parents (each with `mode`); an existing directory is fine. */
export async function makeDirectory(path: string, mode = 0o700): Promise<void> {
  try {
    await mkdir(path, { mode });
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return existingDirectory(path, error);
    const parent = dirname(path);
    if (code !== "ENOENT" || parent === path) throw error;
  }
  await makeDirectory(dirname(path), mode);
  try {
    await mkdir(path, { mode });
  } catch (error) {
    // Made by someone else meanwhile: fine. ENOENT again (procfs, a dangling link): final.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    await existingDirectory(path, error);
  }
}

/** EEXIST is success only for a directory (a symlink to one included), as `mkdir -p` has it. */
async function existingDirectory(path: string, exists: unknown): Promise<void> {
  const st = await stat(path); // a dangling symlink: ENOENT, naming the path
  if (!st.isDirectory()) throw exists;
}
