/**
 * The host's own accounts and groups, read from /etc/passwd and /etc/group directly (not through
 * NSS, which would include the directory users the agent itself wrote).
 */
import { HostNotSupportedError } from "./errors.ts";
import type { HostPaths } from "./host-paths.ts";
import { readManaged } from "./lib/safe-fs.ts";
import type { LocalAccounts } from "./plan-logins.ts";
import { ADMINS_GROUP, type AgentGroups, USERS_GROUP } from "./render-files.ts";

export interface LocalGroups {
  readonly byName: ReadonlyMap<string, number>;
  readonly gids: ReadonlySet<number>;
}

function entries(text: string): string[][] {
  return text
    .split("\n")
    .filter((l) => l && !l.startsWith("#") && !l.startsWith("+") && !l.startsWith("-"))
    .map((l) => l.split(":"));
}

export async function readLocalAccounts(paths: HostPaths): Promise<LocalAccounts> {
  const text = (await readManaged(paths.root, paths.localPasswd))?.toString("utf8") ?? "";
  const names = new Set<string>();
  const uids = new Set<number>();
  for (const [name, , uid] of entries(text)) {
    if (name) names.add(name);
    const n = Number(uid);
    if (Number.isSafeInteger(n)) uids.add(n);
  }
  return { names, uids };
}

export async function readLocalGroups(paths: HostPaths): Promise<LocalGroups> {
  const text = (await readManaged(paths.root, paths.localGroup))?.toString("utf8") ?? "";
  const byName = new Map<string, number>();
  for (const [name, , gid] of entries(text)) {
    const n = Number(gid);
    if (name && Number.isSafeInteger(n)) byName.set(name, n);
  }
  return { byName, gids: new Set(byName.values()) };
}

/** gids for hostpass-users and hostpass-admins: kept once chosen, else the highest free below 100000. */
export function chooseGroupIds(local: LocalGroups, previous?: AgentGroups): AgentGroups {
  for (const name of [USERS_GROUP, ADMINS_GROUP]) {
    if (local.byName.has(name)) {
      throw new HostNotSupportedError(`a local group named ${name} exists; the agent does not take it over`);
    }
  }
  if (previous && !local.gids.has(previous.usersGid) && !local.gids.has(previous.adminsGid)) return previous;
  const free: number[] = [];
  for (let gid = 99_999; gid >= 60_000 && free.length < 2; gid--) if (!local.gids.has(gid)) free.push(gid);
  const [usersGid, adminsGid] = free as [number, number];
  return { usersGid, adminsGid };
}
