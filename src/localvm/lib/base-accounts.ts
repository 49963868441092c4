/**
 * A fresh machine's account database, from the host's: only the system accounts and groups that
 * Debian packages created (uid/gid below 1000, plus nobody/nogroup), with every password locked
 * (`*`) and no group membership of the host's people. The host's own users never reach a machine.
 * Pure text in, text out.
 */

const SYSTEM_ID_LIMIT = 1000;
const NOBODY_ID = 65534;

export interface AccountFiles {
  readonly passwd: string;
  readonly group: string;
  readonly shadow: string;
  readonly gshadow: string;
}

export interface LocalAdmin {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

function isSystemId(id: string): boolean {
  const value = Number(id);
  return /^\d+$/.test(id) && (value < SYSTEM_ID_LIMIT || value === NOBODY_ID);
}

function lines(text: string): string[][] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"))
    .map((line) => line.split(":"));
}

export function baseAccounts(host: { passwd: string; group: string }, admin?: LocalAdmin): AccountFiles {
  const users = lines(host.passwd).filter((fields) => fields.length === 7 && isSystemId(fields[2] ?? ""));
  const userNames = new Set(users.map((fields) => fields[0]));
  const groups = lines(host.group)
    .filter((fields) => fields.length === 4 && isSystemId(fields[2] ?? ""))
    .map((fields) => {
      const members = (fields[3] ?? "").split(",").filter((member) => userNames.has(member));
      return [fields[0], "x", fields[2], members.join(",")];
    });
  if (admin) {
    users.push([admin.name, "x", String(admin.uid), String(admin.gid), "", admin.home, "/bin/bash"]);
    groups.push([admin.name, "x", String(admin.gid), ""]);
  }
  const join = (rows: readonly (readonly (string | undefined)[])[]) =>
    `${rows.map((row) => row.join(":")).join("\n")}\n`;
  return {
    passwd: join(users),
    group: join(groups),
    // `*`: no password can ever match, and unlike `!` sshd does not treat the account as locked for keys.
    shadow: join(users.map((fields) => [fields[0], "*", "20000", "0", "99999", "7", "", "", ""])),
    gshadow: join(groups.map((fields) => [fields[0], "*", "", fields[3]])),
  };
}

/** The numeric id of a group in `group` text, for files that must belong to it (utmp, shadow). */
export function groupId(groupText: string, name: string): number | undefined {
  const row = lines(groupText).find((fields) => fields[0] === name);
  return row?.[2] !== undefined ? Number(row[2]) : undefined;
}
