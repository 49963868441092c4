/**
 * Records for `ssh vm`'s fast path in bin/hostpass (bash, no Node): after a Node run of `ssh vm`
 * that got in, the target's record says which ssh arguments that run used (key, certificate,
 * host-CA known_hosts, user, address), until when they are good, and under which generation of
 * the CLI state they were made. bin/hostpass uses a record only when its generation is the current
 * one, it is owned by the user, 0600, not a symlink, in 0700 folders, and still good by the clock;
 * anything else runs Node. Every change of who is signed in where (login, logout, `account set`,
 * `cloud set/register/unregister`, a new default subscription) writes a new random generation, so
 * no record made before it is used again (docs/decisions.md, "ssh vm fast path").
 *
 * Files, in `<config dir>/fastpath/` (0700): `generation` (0600, one line) and one record per
 * target (0600), named by the arguments that decide the result: `vm,<group>,<name>,<port>,<0|1>`
 * (`-n -g`, `--port`, `--prefer-private-ip`) or `ip,<address>,<port>,<0|1>`. Node built-ins only:
 * this is on `ssh vm`'s cached path.
 */
import { randomBytes } from "node:crypto";
import { lstat, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../../shared/atomic-write.ts";
import { makeDirectory } from "../../shared/make-directory.ts";

export const FAST_PATH_FORMAT = "hostpass-fastpath 1";
/** A by-name record names an address the service gave; ask again at least this often (the VM may move). */
export const ADDRESS_RECHECK_SECONDS = 600;

const folderOf = (configDir: string) => join(configDir, "fastpath");
/** What bin/hostpass accepts in a record's name (so it can build the name from argv without Node). */
const nameable = (word: string) => /^[A-Za-z0-9_:][A-Za-z0-9_:.-]{0,99}$/.test(word);

/** The arguments of `ssh vm` that decide where, as whom and how it connects. */
export interface FastPathTarget {
  readonly name?: string;
  readonly group?: string;
  readonly ip?: string;
  readonly port?: string;
  readonly preferPrivateIp: boolean;
}

/** The record's file name for these arguments, or undefined when bin/hostpass could not name it. */
export function recordName(target: FastPathTarget): string | undefined {
  const port = target.port ?? "";
  const pp = target.preferPrivateIp ? "1" : "0";
  if (port !== "" && !/^[1-9]\d{0,4}$/.test(port)) return undefined;
  if (target.ip !== undefined && target.name === undefined)
    return nameable(target.ip) ? `ip,${target.ip},${port},${pp}` : undefined;
  if (target.name === undefined || target.group === undefined || target.ip !== undefined) return undefined;
  if (!nameable(target.name) || !nameable(target.group)) return undefined;
  return `vm,${target.group},${target.name},${port},${pp}`;
}

/** The folder when it is this user's, 0700, not a symlink; created when missing. */
async function ownFolder(configDir: string): Promise<string | undefined> {
  const folder = folderOf(configDir);
  await makeDirectory(folder);
  const st = await lstat(folder);
  const mine = typeof process.getuid !== "function" || st.uid === process.getuid();
  return st.isDirectory() && mine && (st.mode & 0o077) === 0 ? folder : undefined;
}

/**
 * The current generation, made when there is none. Read it BEFORE reading the accounts and clouds
 * a record is made from: a change after this read writes a new one, and the record made from the
 * older state is then never used.
 */
export async function currentGeneration(configDir: string): Promise<string | undefined> {
  try {
    const folder = await ownFolder(configDir);
    if (!folder) return undefined;
    const text = await readFile(join(folder, "generation"), "utf8").catch(() => undefined);
    const existing = text?.trim();
    if (existing && /^[0-9a-f]{32}$/.test(existing)) return existing;
    return await newGeneration(folder);
  } catch {
    return undefined; // no fast path, nothing else lost
  }
}

async function newGeneration(folder: string): Promise<string> {
  const generation = randomBytes(16).toString("hex");
  await writeFileAtomic(join(folder, "generation"), `${generation}\n`, 0o600);
  return generation;
}

/** Called after every change of who is signed in where: no record made before is used again. */
export async function invalidateFastPath(configDir: string): Promise<void> {
  const folder = folderOf(configDir);
  const exists = await lstat(folder).then(
    () => true,
    () => false,
  );
  if (!exists) return; // no generation was ever read, so no record can name one
  // Without a generation file bin/hostpass uses no record either.
  await newGeneration(folder).catch(() => rm(join(folder, "generation"), { force: true }));
}

export interface FastPathRecord {
  readonly generation: string;
  readonly cloud: string;
  readonly objectId: string;
  readonly target: FastPathTarget;
  /** $HOME as the run saw it (ssh's arguments name `$HOME/.ssh/known_hosts`). */
  readonly home: string;
  readonly privateKeyFile: string;
  readonly certificateFile: string;
  readonly knownHostsFile: string;
  /** The keys folder's meta.json (absent while a renewal is writing the folder). */
  readonly metaFile: string;
  /** Epoch seconds: the certificate's end, and when bin/hostpass stops using the record. */
  readonly validBefore: number;
  readonly usableUntil: number;
  /** ssh's arguments before the ones after `--`, exactly as the Node run passed them. */
  readonly sshArgs: readonly string[];
}

/** Writes the record for `name`; a value bin/hostpass could not read back line by line writes none. */
export async function writeRecord(configDir: string, name: string, record: FastPathRecord): Promise<void> {
  const t = record.target;
  const fields: [string, string][] = [
    ["generation", record.generation],
    ["cloud", record.cloud],
    ["object_id", record.objectId],
    ["name", t.name ?? ""],
    ["group", t.group ?? ""],
    ["ip", t.ip ?? ""],
    ["port", t.port ?? ""],
    ["prefer_private_ip", t.preferPrivateIp ? "1" : "0"],
    ["home", record.home],
    ["key", record.privateKeyFile],
    ["certificate", record.certificateFile],
    ["known_hosts", record.knownHostsFile],
    ["meta", record.metaFile],
    ["valid_before", String(record.validBefore)],
    ["usable_until", String(record.usableUntil)],
    ...record.sshArgs.map((a): [string, string] => ["arg", a]),
  ];
  // One line per value: no control characters (a newline would start a line of its own).
  const oneLine = (v: string) => [...v].every((c) => c.charCodeAt(0) > 0x1f && c.charCodeAt(0) !== 0x7f);
  if (!fields.every(([, v]) => oneLine(v))) return;
  const folder = await ownFolder(configDir);
  if (!folder) return;
  const text = `${FAST_PATH_FORMAT}\n${fields.map(([k, v]) => `${k}=${v}`).join("\n")}\nend\n`;
  await writeFileAtomic(join(folder, name), text, 0o600);
}

export async function removeRecord(configDir: string, name: string): Promise<void> {
  await rm(join(folderOf(configDir), name), { force: true });
}
