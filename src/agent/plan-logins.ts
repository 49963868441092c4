/**
 * Which of the service's logins this host writes, and why the others are refused. Pure: the
 * caller passes the host's local accounts and the grace stage.
 *
 * A login is refused (and reported) when its name breaks the Linux name rule
 * (directory/linux-name.ts), its uid is outside the service's range, its name or uid belongs to a
 * local account (a directory user never takes over a local account), or another login claims the
 * same name or uid (both are refused: which one is meant is unknowable).
 */
import { validateLinuxName } from "../directory/index.ts";
import type { HostLogin, HostState, LoginLevel } from "../shared/host-protocol.ts";

/** The service allocates uids from 100000 (directory/tenants.ts FIRST_UID); 2^31-1 and up break tools. */
export const MIN_DIRECTORY_UID = 100_000;
export const MAX_DIRECTORY_UID = 2_147_483_646;

export type GraceStage = "connected" | "adminDropped" | "allDropped";

export interface LocalAccounts {
  readonly names: ReadonlySet<string>;
  readonly uids: ReadonlySet<number>;
}

/** A login the agent writes: checked name and uid, level after the grace rule, a safe GECOS. */
export interface PlannedLogin {
  readonly objectId: string;
  readonly linuxName: string;
  readonly uid: number;
  readonly level: LoginLevel;
  readonly gecos: string;
}

export interface RefusedLogin {
  readonly objectId: string;
  /** The name as sent, made printable for logs and reports. */
  readonly linuxName: string;
  readonly reason: string;
}

export interface LoginPlan {
  readonly logins: readonly PlannedLogin[];
  readonly refused: readonly RefusedLogin[];
}

/** GECOS: printable ASCII without the passwd field separator `:` and GECOS's `,`; at most 64. */
export function safeGecos(displayName: string): string {
  return displayName
    .replace(/[^\x20-\x7e]|[:,\\=]/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 64);
}

export function printable(value: string): string {
  return JSON.stringify(value.slice(0, 64)).slice(1, -1);
}

function problemOf(login: HostLogin, local: LocalAccounts): string | undefined {
  try {
    validateLinuxName(login.linuxName);
  } catch (error) {
    return `invalid Linux name: ${(error as Error).message}`;
  }
  if (!Number.isSafeInteger(login.uid) || login.uid < MIN_DIRECTORY_UID || login.uid > MAX_DIRECTORY_UID) {
    return `uid ${login.uid} is outside ${MIN_DIRECTORY_UID}..${MAX_DIRECTORY_UID}`;
  }
  if (local.names.has(login.linuxName)) return "a local account has this name; it is never taken over";
  if (local.uids.has(login.uid)) return `a local account has uid ${login.uid}; it is never taken over`;
  return undefined;
}

export function planLogins(state: HostState, local: LocalAccounts, stage: GraceStage): LoginPlan {
  if (!state.loginEnabled || stage === "allDropped") return { logins: [], refused: [] };
  const refused: RefusedLogin[] = [];
  const candidates: HostLogin[] = [];
  for (const login of state.logins) {
    const problem = problemOf(login, local);
    if (problem)
      refused.push({ objectId: login.objectId, linuxName: printable(login.linuxName), reason: problem });
    else candidates.push(login);
  }
  const count = (key: (l: HostLogin) => string | number) => {
    const seen = new Map<string | number, number>();
    for (const l of candidates) seen.set(key(l), (seen.get(key(l)) ?? 0) + 1);
    return seen;
  };
  const names = count((l) => l.linuxName);
  const uids = count((l) => l.uid);
  const logins: PlannedLogin[] = [];
  for (const login of candidates) {
    if ((names.get(login.linuxName) ?? 0) > 1 || (uids.get(login.uid) ?? 0) > 1) {
      refused.push({
        objectId: login.objectId,
        linuxName: login.linuxName,
        reason: "another login has the same name or uid",
      });
      continue;
    }
    logins.push({
      objectId: login.objectId,
      linuxName: login.linuxName,
      uid: login.uid,
      level: stage === "adminDropped" ? "user" : login.level,
      gecos: safeGecos(login.displayName),
    });
  }
  logins.sort((a, b) => a.uid - b.uid);
  return { logins, refused };
}
