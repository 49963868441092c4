/**
 * Linux account names for directory principals.
 *
 * The rule (strict on purpose; a name that does not fit is refused, never mangled, so two
 * identities can never map to one account):
 *
 * 1. ASCII only, already lower case: `[a-z0-9._@-]`. This excludes `,` `#` `:` `/` `\` quotes,
 *    whitespace, control characters and everything outside ASCII (no homoglyphs, no bidi).
 * 2. 1 to 32 characters (`LINUX_NAME_MAX_LENGTH`, useradd's limit). Longer names are refused:
 *    truncating would let two UPNs share an account.
 * 3. Starts with a letter (so never `-x`, `.`, `..`, a digit, or `@`), hence never all digits.
 * 4. Ends with a letter or digit; no `..`; at most one `@`, with a letter or digit on each side.
 * 5. Not a reserved local account or privileged group (`root`, `sshd`, `sudo`, `systemd-*`...).
 *
 * A user's name is the normalised UPN (`alice@contoso.com`), as the seed's users see it. Because
 * it contains `@`, it can never equal a local account name made by useradd; the reserved list is
 * the second guard for explicitly chosen names. Hosts must still refuse a name that exists
 * locally (the agent checks its own passwd database).
 *
 * A service principal's name is `sp-` + the app id's 16 bytes in lower-case base32 (29
 * characters): derived from the immutable app id only, never from a display name, and
 * one-to-one so it cannot collide.
 */
import { InvalidLinuxNameError } from "./errors.ts";
import { upnKey } from "./upn.ts";

export const LINUX_NAME_MAX_LENGTH = 32;

/** Local accounts and groups of a Debian-like system that a directory name must never take. */
export const RESERVED_LINUX_NAMES: ReadonlySet<string> = new Set([
  "root",
  "daemon",
  "bin",
  "sys",
  "sync",
  "games",
  "man",
  "lp",
  "mail",
  "news",
  "uucp",
  "proxy",
  "www-data",
  "backup",
  "list",
  "irc",
  "gnats",
  "nobody",
  "nogroup",
  "sshd",
  "messagebus",
  "syslog",
  "polkitd",
  "postgres",
  "adm",
  "sudo",
  "wheel",
  "admin",
  "administrator",
  "docker",
  "disk",
  "shadow",
  "staff",
  "operator",
  "halt",
  "shutdown",
  "ftp",
  "kmem",
  "tty",
  "video",
  "audio",
  "input",
  "kvm",
  "lxd",
  "users",
  "hostpass",
  "hostpass-agent",
  "localadmin",
  "ubuntu",
  "debian",
  "ec2-user",
  "azureuser",
]);
const RESERVED_PREFIXES = ["systemd-", "_", "hostpass-"];

function refuse(problem: ConstructorParameters<typeof InvalidLinuxNameError>[0], message: string): never {
  throw new InvalidLinuxNameError(problem, message);
}

/** Checks a Linux name against the rule above and returns it; throws InvalidLinuxNameError. */
export function validateLinuxName(name: string): string {
  if (typeof name !== "string" || name.length === 0) refuse("empty", "Linux name is empty");
  if (name.length > LINUX_NAME_MAX_LENGTH) {
    refuse("too_long", `Linux name is longer than ${LINUX_NAME_MAX_LENGTH} characters; it is not shortened`);
  }
  if (name !== name.normalize("NFC").toLowerCase()) refuse("not_normalized", "Linux name must be lower case");
  if (!/^[a-z0-9._@-]+$/.test(name)) {
    refuse("charset", "Linux name may only contain a-z, 0-9, '.', '_', '-' and one '@'");
  }
  if (/^[0-9]+$/.test(name)) refuse("all_digits", "Linux name may not be all digits");
  if (!/^[a-z]/.test(name)) refuse("leading_character", "Linux name must start with a letter");
  if (name.includes("..")) refuse("dot_dot", "Linux name may not contain '..'");
  if (!/[a-z0-9]$/.test(name)) refuse("trailing_character", "Linux name must end with a letter or digit");
  const at = name.indexOf("@");
  if (at !== -1 && (at !== name.lastIndexOf("@") || !/[a-z0-9]@[a-z0-9]/.test(name))) {
    refuse("at_sign", "Linux name may contain one '@' between letters or digits");
  }
  if (RESERVED_LINUX_NAMES.has(name) || RESERVED_PREFIXES.some((p) => name.startsWith(p))) {
    refuse("reserved", "Linux name is reserved for a local account");
  }
  return name;
}

/** The Linux name of a user: its UPN, NFC and lower-cased, if that passes the rule. */
export function linuxNameFromUpn(upn: string): string {
  return validateLinuxName(upnKey(upn));
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** The Linux name of a service principal, from its app id (a UUID). */
export function linuxNameForAppId(appId: string): string {
  const hex = appId.toLowerCase().replaceAll("-", "");
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new TypeError("app id must be a UUID");
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of Buffer.from(hex, "hex")) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return validateLinuxName(`sp-${out}`);
}
