import { randomBytes } from "node:crypto";
import { access, chmod, chown, copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../shared/atomic-write.ts";
import { makeDirectory } from "../shared/make-directory.ts";
import { LocalVmSpecError } from "./errors.ts";
import { type AccountFiles, baseAccounts, groupId, type LocalAdmin } from "./lib/base-accounts.ts";
import { adminSudoers, hostsFile, NSSWITCH, SSHD_CONFIG, SUDOERS, serviceScript } from "./lib/image-files.ts";
import { runChecked } from "./lib/run-command.ts";

export interface MachineService {
  /** `[a-z][a-z0-9-]*`: the file under /etc/localvm/services and the log /var/log/localvm-<name>.log. */
  readonly name: string;
  /** The program and its arguments, run as root inside the machine and restarted when it exits. */
  readonly argv: readonly string[];
}

export interface MachineImageSpec {
  /** The machine's host name (its UTS namespace); VM name rules: 1-64 of `A-Z a-z 0-9 . _ -`. */
  readonly hostname: string;
  /** A break-glass local administrator with key-only login and passwordless sudo (`--admin-username`). */
  readonly adminUser?: { readonly name: string; readonly authorizedKeys: readonly string[] };
  readonly services?: readonly MachineService[];
}

const HOSTNAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9_])?$/;
const LOCAL_USER = /^[a-z_][a-z0-9_-]{0,31}$/;
const SERVICE_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const PUBLIC_KEY_LINE =
  /^(?:ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)|sk-[a-z0-9@.-]+) [A-Za-z0-9+/=]+(?: [\x20-\x7e]*)?$/;
const ADMIN_ID = 1000;
export function validateImageSpec(spec: MachineImageSpec): void {
  if (!HOSTNAME.test(spec.hostname))
    throw new LocalVmSpecError(`not a usable host name: ${JSON.stringify(spec.hostname)}`);
  const admin = spec.adminUser;
  if (admin) {
    if (!LOCAL_USER.test(admin.name))
      throw new LocalVmSpecError(`not a usable local user name: ${JSON.stringify(admin.name)}`);
    for (const key of admin.authorizedKeys) {
      if (!PUBLIC_KEY_LINE.test(key.trim()))
        throw new LocalVmSpecError("an authorized key is not one OpenSSH public key line");
    }
  }
  for (const service of spec.services ?? []) validateService(service);
}

function validateService(service: MachineService): void {
  if (!SERVICE_NAME.test(service.name))
    throw new LocalVmSpecError(`not a usable service name: ${JSON.stringify(service.name)}`);
  if (
    service.argv.length === 0 ||
    !service.argv[0]?.startsWith("/") ||
    service.argv.some((arg) => arg.includes("\0"))
  ) {
    throw new LocalVmSpecError(
      `service ${service.name} needs an absolute program path and arguments without NUL`,
    );
  }
}

const IMAGE_MARKER = "image.json";

export async function imageExists(dir: string): Promise<boolean> {
  return access(join(dir, IMAGE_MARKER)).then(
    () => true,
    () => false,
  );
}

/**
 * Writes a fresh machine's file system parts under `dir` (etc, home, root, var/log, var/lib): the /etc files of its own (accounts, sudo rules, sshd with fresh host keys,
 * names and ids) over the shared base (base-image.ts). Idempotent: an existing complete image (marker written last) is kept,
 * so a restarted machine keeps its host keys, users and homes; a half-built one is built again.
 */
export async function buildMachineImage(dir: string, spec: MachineImageSpec): Promise<void> {
  validateImageSpec(spec);
  if (await imageExists(dir)) return;
  const accounts = await imageAccounts(spec);
  await makeDirectory(dir, 0o700);
  await chmod(dir, 0o700); // holds shadow and host keys
  await Promise.all(
    ["etc", ".etc-work", "home", "root", "var"].map((part) =>
      rm(join(dir, part), { recursive: true, force: true }),
    ),
  );
  // `etc/` is the upper layer of the machine's /etc overlay (base-image.ts): only what differs from the base.
  const etc = join(dir, "etc");
  await mkdir(etc, { mode: 0o755 });
  await mkdir(join(dir, ".etc-work"), { mode: 0o700 });
  const shadowGid = groupId(accounts.group, "shadow") ?? 0;
  await writeFile(join(etc, "passwd"), accounts.passwd, { mode: 0o644 });
  await writeFile(join(etc, "group"), accounts.group, { mode: 0o644 });
  for (const file of ["shadow", "gshadow"] as const) {
    await writeFile(join(etc, file), accounts[file], { mode: 0o640 });
    await chown(join(etc, file), 0, shadowGid);
  }
  await writeFile(join(etc, "nsswitch.conf"), NSSWITCH, { mode: 0o644 });
  await writeFile(join(etc, "hostname"), `${spec.hostname}\n`, { mode: 0o644 });
  await writeFile(join(etc, "hosts"), hostsFile(spec.hostname), { mode: 0o644 });
  await writeFile(join(etc, "machine-id"), `${randomBytes(16).toString("hex")}\n`, { mode: 0o444 });
  await writeSudoers(etc, spec.adminUser?.name);
  await writeSshConfig(etc, spec.hostname);
  await makeDirectory(join(etc, "localvm", "services"), 0o755);
  for (const service of spec.services ?? []) await writeMachineService(dir, service);

  await mkdir(join(dir, "home"), { mode: 0o755 });
  await mkdir(join(dir, "root"), { mode: 0o700 });
  await runChecked("/usr/bin/cp", ["-a", "/etc/skel/.", join(dir, "root")]);
  await makeDirectory(join(dir, "var", "lib", "extrausers"), 0o755);
  await makeLogDir(join(dir, "var", "log"), groupId(accounts.group, "utmp") ?? 0);
  if (accounts.admin && spec.adminUser)
    await makeAdminHome(dir, accounts.admin, spec.adminUser.authorizedKeys);
  await writeFileAtomic(
    join(dir, IMAGE_MARKER),
    `${JSON.stringify({ hostname: spec.hostname, format: 1 })}\n`,
    0o600,
  );
}

/** The machine's account files: the host's system accounts, and its admin (who may not be one of them). */
async function imageAccounts(spec: MachineImageSpec): Promise<AccountFiles & { admin?: LocalAdmin }> {
  const host = { passwd: await readFile("/etc/passwd", "utf8"), group: await readFile("/etc/group", "utf8") };
  if (!spec.adminUser) return baseAccounts(host);
  const admin = {
    name: spec.adminUser.name,
    uid: ADMIN_ID,
    gid: ADMIN_ID,
    home: `/home/${spec.adminUser.name}`,
  };
  const system = baseAccounts(host);
  const taken = [system.passwd, system.group].some((text) =>
    text.split("\n").some((line) => line.startsWith(`${admin.name}:`)),
  );
  if (taken)
    throw new LocalVmSpecError(
      `${admin.name} is a system account of the image; choose another admin user name`,
    );
  return { ...baseAccounts(host, admin), admin };
}

/** Adds (or replaces) a supervised service in a machine's image; a running machine starts it with `startService`. */
export async function writeMachineService(dir: string, service: MachineService): Promise<void> {
  validateService(service);
  const servicesDir = join(dir, "etc", "localvm", "services");
  await makeDirectory(servicesDir, 0o755);
  await writeFileAtomic(join(servicesDir, service.name), serviceScript(service.argv), 0o755);
}

async function writeSudoers(etc: string, adminName: string | undefined): Promise<void> {
  await writeFile(join(etc, "sudoers"), SUDOERS, { mode: 0o440 });
  await mkdir(join(etc, "sudoers.d"), { mode: 0o755 });
  if (!adminName) return;
  const path = join(etc, "sudoers.d", "90-localvm-admin");
  await writeFile(path, adminSudoers(adminName), { mode: 0o440 });
  await runChecked("/usr/sbin/visudo", ["-c", "-q", "-f", path]);
}

async function writeSshConfig(etc: string, hostname: string): Promise<void> {
  const ssh = join(etc, "ssh");
  await makeDirectory(join(ssh, "sshd_config.d"), 0o755);
  await mkdir(join(ssh, "ssh_config.d"), { mode: 0o755 });
  for (const file of ["moduli", "ssh_config"]) {
    await copyFile(join("/etc/ssh", file), join(ssh, file)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
  }
  await writeFile(join(ssh, "sshd_config"), SSHD_CONFIG, { mode: 0o644 });
  await Promise.all(
    ["ed25519", "ecdsa"].map((type) =>
      runChecked("/usr/bin/ssh-keygen", [
        "-q",
        "-t",
        type,
        "-N",
        "",
        "-C",
        `root@${hostname}`,
        "-f",
        join(ssh, `ssh_host_${type}_key`),
      ]),
    ),
  );
}

async function makeLogDir(log: string, utmpGid: number): Promise<void> {
  await makeDirectory(log, 0o755);
  for (const [file, mode] of [
    ["wtmp", 0o664],
    ["btmp", 0o660],
    ["lastlog", 0o664],
  ] as const) {
    await writeFile(join(log, file), "", { mode });
    await chown(join(log, file), 0, utmpGid);
  }
}

async function makeAdminHome(dir: string, admin: LocalAdmin, keys: readonly string[]): Promise<void> {
  const home = join(dir, "home", admin.name);
  await makeDirectory(join(home, ".ssh"), 0o700);
  await runChecked("/usr/bin/cp", ["-a", "/etc/skel/.", home]);
  await writeFile(join(home, ".ssh", "authorized_keys"), keys.map((key) => `${key.trim()}\n`).join(""), {
    mode: 0o600,
  });
  await chmod(home, 0o750);
  await runChecked("/usr/bin/chown", ["-R", `${admin.uid}:${admin.gid}`, home]);
}
