import { readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileAtomic } from "../../shared/atomic-write.ts";
import { makeDirectory } from "../../shared/make-directory.ts";
import { ServerStateError } from "../errors.ts";

/**
 * Reads a secret file of the data directory, creating it with `create()` on first start. The file
 * is 0600 and written atomically; one readable by group or others is refused rather than used,
 * because a copied secret could already be out there.
 */
export async function loadOrCreateSecretFile(path: string, create: () => string): Promise<string> {
  await makeDirectory(dirname(path), 0o700);
  const existing = await readSecretFile(path);
  if (existing !== undefined) return existing;
  const content = create();
  try {
    await writeFileAtomic(path, content, 0o600);
  } catch (error) {
    throw new ServerStateError(`cannot write ${path}`, { cause: error });
  }
  return readFile(path, "utf8");
}

/** Reads a secret file (refused when others may read it); undefined when it does not exist. */
export async function readSecretFile(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    if ((info.mode & 0o077) !== 0) {
      throw new ServerStateError(
        `${path} is readable by other users; make it 0600 (chmod 600) and start again`,
      );
    }
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
