/**
 * Ends the live sessions of directory users the service names (`terminateSessions`): every
 * process running as their uid gets SIGTERM, and SIGKILL a few seconds later if still there.
 * Only directory users this host has had are touched (`known`: the current logins and those the
 * service removed lately, since a revocation removes the login before it ends the sessions): a
 * local account, or a name the host never had, is refused (the service cannot make the agent kill
 * a local admin's shell).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { LocalAccounts } from "./plan-logins.ts";
import { MIN_DIRECTORY_UID } from "./plan-logins.ts";

const run = promisify(execFile);

export interface TerminateResult {
  readonly ended: readonly string[];
  readonly refused: readonly { readonly linuxName: string; readonly reason: string }[];
}

async function signalUid(uid: number, signal: "TERM" | "KILL"): Promise<boolean> {
  try {
    await run("pkill", [`-${signal}`, "-U", String(uid)], { timeout: 10_000 });
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === 1) return false; // no process matched
    throw error;
  }
}

export async function terminateSessions(
  linuxNames: readonly string[],
  known: ReadonlyMap<string, number>,
  local: LocalAccounts,
  graceMs = 3000,
): Promise<TerminateResult> {
  const ended: string[] = [];
  const refused: { linuxName: string; reason: string }[] = [];
  const uids: number[] = [];
  for (const name of linuxNames) {
    const uid = known.get(name);
    if (local.names.has(name)) {
      refused.push({
        linuxName: name,
        reason: "a local account; its sessions are never ended by the service",
      });
    } else if (uid === undefined || uid < MIN_DIRECTORY_UID || local.uids.has(uid)) {
      refused.push({ linuxName: name.slice(0, 64), reason: "not a directory user of this host" });
    } else {
      uids.push(uid);
      ended.push(name);
    }
  }
  let any = false;
  for (const uid of uids) any = (await signalUid(uid, "TERM")) || any;
  if (any) {
    await new Promise((r) => setTimeout(r, graceMs));
    for (const uid of uids) await signalUid(uid, "KILL");
  }
  return { ended, refused };
}
