import { randomBytes } from "node:crypto";
import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface StageOptions {
  /** Final mode, applied exactly (the umask may have narrowed it at creation). Default 0600. */
  readonly mode?: number;
  /** Owner set on the temp file before it is swapped in, so the file never appears with another. */
  readonly owner?: { readonly uid: number; readonly gid: number };
}

/** A complete, synced temp file beside its destination, to check (e.g. `visudo -c`) before the swap. */
export interface StagedFile {
  readonly tempPath: string;
  /** Renames the temp file over the destination and syncs the directory. */
  commit(): Promise<void>;
  /** Removes the temp file (when a check refused it). */
  discard(): Promise<void>;
}

/**
 * Writes `data` to a temp file in the destination's directory: created exclusively (`wx` never
 * follows a planted symlink), written, given its mode and owner, fsynced. Nothing is visible at
 * the destination until `commit`.
 */
export async function stageFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: StageOptions = {},
): Promise<StagedFile> {
  const mode = options.mode ?? 0o600;
  const dir = dirname(path);
  const tempPath = join(dir, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(tempPath, "wx", mode);
  try {
    await handle.writeFile(data);
    if (options.owner) await handle.chown(options.owner.uid, options.owner.gid);
    await handle.chmod(mode); // the umask may have narrowed or (for 0644) kept the mode; be exact
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return {
    tempPath,
    commit: async () => {
      await rename(tempPath, path);
      await syncDirectory(dir);
    },
    discard: () => unlink(tempPath).catch(() => undefined),
  };
}

/** fsync of a directory, so a rename or unlink in it survives a power cut. */
export async function syncDirectory(dir: string): Promise<void> {
  const dirHandle = await open(dir, "r");
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}

/**
 * Writes a file so that a reader sees the old content or the new one, never a torn mix, and a crash
 * never leaves a half-written key: temp file (created with its final mode, exclusive), fsync,
 * rename, then fsync of the directory so the rename itself survives a power cut.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const staged = await stageFileAtomic(path, data, { mode });
  try {
    await staged.commit();
  } catch (error) {
    await staged.discard();
    throw error;
  }
}
