/**
 * The agent's own files under its state directory (0700, root): JSON documents written
 * atomically, 0600. Nothing here is a secret except the key written at join (join.ts).
 */
import { join } from "node:path";
import { AgentStateError } from "./errors.ts";
import type { HostPaths } from "./host-paths.ts";
import { ensureDirectory, readManaged, writeManaged } from "./lib/safe-fs.ts";
import type { AgentGroups } from "./render-files.ts";

/** A host file the agent edited or replaced, as it was before the first change. */
export interface OriginalFile {
  readonly existed: boolean;
  /** base64 of the bytes. */
  readonly content?: string;
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
}

/** What the agent changed on the host: enough to put every file back as it was. */
export interface HostRecord {
  readonly groups?: AgentGroups;
  /** Keyed by path. */
  readonly originals: Readonly<Record<string, OriginalFile>>;
  /** sha256 (hex) of what the agent last wrote to each edited file, keyed by path. */
  readonly written: Readonly<Record<string, string>>;
  /** Directories the agent made, deepest last; removed on disable when empty. */
  readonly createdDirs: readonly string[];
  /** A KRL from the service has been written at least once (until then no directory login is written). */
  readonly krlApplied: boolean;
}

export const EMPTY_RECORD: HostRecord = Object.freeze({
  originals: {},
  written: {},
  createdDirs: [],
  krlApplied: false,
});

export interface AgentStore {
  read<T>(name: string): Promise<T | undefined>;
  write(name: string, value: unknown): Promise<void>;
  readonly dir: string;
}

/** `create: false` (status, run before a join): nothing is made on disk until something is written. */
export async function openAgentStore(
  paths: HostPaths,
  options: { create?: boolean } = {},
): Promise<AgentStore> {
  if (options.create ?? true) await ensureDirectory(paths.root, paths.stateDir, 0o700);
  const file = (name: string) => {
    if (!/^[a-z][a-z0-9-]*\.json$/.test(name)) throw new TypeError(`bad state file name ${name}`);
    return join(paths.stateDir, name);
  };
  return {
    dir: paths.stateDir,
    read: async <T>(name: string) => {
      const bytes = await readManaged(paths.root, file(name));
      if (!bytes) return undefined;
      try {
        return JSON.parse(bytes.toString("utf8")) as T;
      } catch (cause) {
        throw new AgentStateError(`${file(name)} is not valid JSON`, { cause });
      }
    },
    write: (name, value) =>
      writeManaged(paths.root, file(name), `${JSON.stringify(value, null, 2)}\n`, 0o600),
  };
}

/** The host record (what the agent changed) in `host.json`. */
export function hostRecords(store: AgentStore): {
  load(): Promise<HostRecord | undefined>;
  save(record: HostRecord): Promise<void>;
} {
  return {
    load: () => store.read<HostRecord>("host.json"),
    save: (record) => store.write("host.json", record),
  };
}
