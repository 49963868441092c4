/**
 * The content of every file the agent owns, from a checked login plan. Pure text; the paths that
 * go into sshd's drop-in are the host's (see host-paths.ts).
 */
import type { TrustedCaKey } from "../shared/host-protocol.ts";
import { formatPublicKey, parsePublicKey } from "../ssh/index.ts";
import type { HostPaths } from "./host-paths.ts";
import type { PlannedLogin } from "./plan-logins.ts";

export const USERS_GROUP = "hostpass-users";
export const ADMINS_GROUP = "hostpass-admins";
export const LOGIN_SHELL = "/bin/bash";

export interface AgentGroups {
  readonly usersGid: number;
  readonly adminsGid: number;
}

const HEADER = "# Managed by hostpass-agent; rewritten on every change, do not edit.";

function home(paths: HostPaths, name: string): string {
  return `${paths.homeBase}/${name}`;
}

export function homeOf(paths: HostPaths, login: PlannedLogin): string {
  return home(paths, login.linuxName);
}

/** extrausers passwd: every directory user's primary group is hostpass-users (sshd's Match Group). */
export function renderPasswd(paths: HostPaths, logins: readonly PlannedLogin[], groups: AgentGroups): string {
  return logins
    .map(
      (l) =>
        `${l.linuxName}:x:${l.uid}:${groups.usersGid}:${l.gecos}:${home(paths, l.linuxName)}:${LOGIN_SHELL}\n`,
    )
    .join("");
}

export function renderGroup(logins: readonly PlannedLogin[], groups: AgentGroups): string {
  const admins = logins.filter((l) => l.level === "admin").map((l) => l.linuxName);
  return `${USERS_GROUP}:x:${groups.usersGid}:\n${ADMINS_GROUP}:x:${groups.adminsGid}:${admins.join(",")}\n`;
}

/** `*`: no password can ever match; empty ageing fields, so PAM never asks for a password change. */
export function renderShadow(logins: readonly PlannedLogin[]): string {
  return logins.map((l) => `${l.linuxName}:*:::::::\n`).join("");
}

/**
 * sudo for Virtual Machine Administrator Login holders, granted by uid (`#100001`): sudo reads
 * this file on every call, so a demotion takes effect even in sessions already open (a group
 * grant would live on in their process groups until they log out).
 */
export function renderSudoers(logins: readonly PlannedLogin[]): string {
  const lines = [HEADER, "# Directory users with Virtual Machine Administrator Login (by uid)."];
  for (const l of logins) {
    if (l.level === "admin") lines.push(`#${l.uid} ALL=(ALL:ALL) NOPASSWD: ALL`);
  }
  return `${lines.join("\n")}\n`;
}

/** The one principal a Linux account accepts: its own name. */
export function renderPrincipals(login: PlannedLogin): string {
  return `${login.linuxName}\n`;
}

/** Every CA key the service lists (next, active, previous), so a rotation never fails a login. */
export function renderTrustedCaKeys(keys: readonly TrustedCaKey[]): string {
  const lines = keys.map((k) =>
    formatPublicKey(parsePublicKey(k.publicKey), `hostpass-user-ca ${k.id} ${k.status}`),
  );
  return lines.length ? `${lines.join("\n")}\n` : "";
}

function sshdPath(path: string): string {
  if (/\s|"/.test(path)) throw new TypeError(`sshd paths must not contain spaces or quotes: ${path}`);
  return path;
}

/**
 * The sshd drop-in. Directory users (primary group hostpass-users) authenticate only with a
 * certificate from a trusted CA for their own name: no authorized_keys, no keys or principals
 * command, no password or keyboard-interactive. Local accounts (the break-glass admin) keep
 * whatever the host configured. VERBOSE logging gives the certificate id and serial of every
 * attempt, which the agent reports.
 */
export function renderSshdDropIn(paths: HostPaths, hostCertificateFiles: readonly string[]): string {
  return [
    HEADER,
    `TrustedUserCAKeys ${sshdPath(paths.trustedUserCaKeys)}`,
    `RevokedKeys ${sshdPath(paths.revokedKeys)}`,
    `AuthorizedPrincipalsFile ${sshdPath(paths.principalsDir)}/%u`,
    ...hostCertificateFiles.map((f) => `HostCertificate ${sshdPath(f)}`),
    "LogLevel VERBOSE",
    `Match Group ${USERS_GROUP}`,
    "\tAuthorizedKeysFile none",
    "\tAuthorizedKeysCommand none",
    "\tAuthorizedPrincipalsCommand none",
    "\tPubkeyAuthentication yes",
    "\tPasswordAuthentication no",
    "\tKbdInteractiveAuthentication no",
    "\tHostbasedAuthentication no",
    "\tAuthenticationMethods publickey",
    "",
  ].join("\n");
}
