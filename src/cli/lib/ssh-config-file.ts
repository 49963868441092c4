/**
 * The ssh_config blocks `hostpass ssh config` writes. Each is fenced by `# BEGIN/END hostpass`
 * lines (so running the command again replaces it) and starts with a `Match ... exec` line: ssh
 * runs that command, synchronously, while it reads its configuration and before it loads any key,
 * so `hostpass ssh cert --renew` has renewed the certificate by the time ssh, scp, sftp, rsync or
 * VS Code use it. The Match block itself sets nothing.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CliUsageError } from "../errors.ts";
import { type CachedCredential, KEY_NAME } from "../session/ssh-cache.ts";

export interface HostEntry {
  /** The names this block answers to: an alias, addresses, or `*`. */
  readonly patterns: readonly string[];
  /** For an alias: the address it stands for. */
  readonly alias?: { readonly name: string; readonly hostName: string };
  readonly port?: string;
}

/** The `hostpass` command ssh runs (this checkout's bin/hostpass, absolute). */
export function hostpassBin(): string {
  return fileURLToPath(new URL("../../../bin/hostpass", import.meta.url));
}

/** Paths go into ssh_config and a shell command: refuse what would need escaping in either. */
export function checkConfigPath(path: string, what: string): string {
  if (/["'%\\\n\r\t]/.test(path))
    throw new CliUsageError(
      `${what} ${JSON.stringify(path)} cannot contain quotes, %, backslashes or control characters`,
    );
  return path;
}

const PATTERN = /^[A-Za-z0-9._:*?[\]-]{1,253}$/;

export function renderBlock(
  name: string,
  entry: HostEntry,
  credential: CachedCredential,
  bin = hostpassBin(),
): string {
  for (const p of entry.patterns)
    if (!PATTERN.test(p)) throw new CliUsageError(`cannot write a Host entry for ${JSON.stringify(p)}`);
  // The user's own key is named too, so a folder `hostpass logout` removed is renewed for it.
  const ownKey =
    credential.privateKeyFile === join(credential.folder, KEY_NAME)
      ? ""
      : ` -p '${checkConfigPath(`${credential.privateKeyFile}.pub`, "the key file")}'`;
  const renew = `'${checkConfigPath(bin, "the hostpass path")}' ssh cert --renew '${checkConfigPath(credential.folder, "the keys folder")}'${ownKey} --only-show-errors`;
  const lines = [
    `# BEGIN hostpass ${name} (written by \`hostpass ssh config\`; renews its certificate before it expires)`,
    `Match originalhost ${entry.patterns.join(",")} exec "${renew}"`,
  ];
  if (entry.alias) lines.push(`Host ${entry.alias.name}`, `    HostName ${entry.alias.hostName}`);
  lines.push(
    `Host ${entry.patterns.join(" ")}`,
    `    User ${credential.principal}`,
    ...(entry.port ? [`    Port ${entry.port}`] : []),
    `    IdentityFile "${checkConfigPath(credential.privateKeyFile, "the key file")}"`,
    `    CertificateFile "${checkConfigPath(credential.certificateFile, "the certificate file")}"`,
    "    IdentitiesOnly yes",
    `    UserKnownHostsFile "${checkConfigPath(credential.knownHostsFile, "the known_hosts file")}" ~/.ssh/known_hosts`,
    `# END hostpass ${name}`,
  );
  return `${lines.join("\n")}\n`;
}

/** `existing` with the block named `name` replaced (in place) or appended. */
export function mergeBlock(existing: string, name: string, block: string): string {
  const begin = `# BEGIN hostpass ${name} `;
  const end = `# END hostpass ${name}\n`;
  const at = existing.indexOf(begin);
  if (at >= 0 && (at === 0 || existing[at - 1] === "\n")) {
    const stop = existing.indexOf(end, at);
    if (stop >= 0) return existing.slice(0, at) + block + existing.slice(stop + end.length);
  }
  const separator =
    existing === "" || existing.endsWith("\n\n") ? "" : existing.endsWith("\n") ? "\n" : "\n\n";
  return `${existing}${separator}${block}`;
}
