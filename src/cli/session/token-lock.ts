/**
 * One process at a time refreshes the token cache: refresh tokens rotate, and two processes
 * redeeming the same one would look like a replay to the service. `proper-lockfile` keeps a lock
 * directory next to accounts.json (stale after 20 s, so a killed process does not block others).
 */
import { join } from "node:path";
import { CliStateError } from "./errors.ts";

const STALE_MS = 20_000;

export async function withTokenLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const lockfile = await import("proper-lockfile");
  const { makeDirectory } = await import("../../shared/make-directory.ts");
  await makeDirectory(dir);
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(join(dir, "accounts.json"), {
      realpath: false,
      stale: STALE_MS,
      retries: { retries: 400, factor: 1.2, minTimeout: 10, maxTimeout: 100 },
    });
  } catch (cause) {
    throw new CliStateError(`the token cache in ${dir} stays locked by another hostpass process`, { cause });
  }
  try {
    return await work();
  } finally {
    await release().catch(() => undefined);
  }
}
