/**
 * Real OpenSSH for tests: ssh-keygen, a private sshd on a loopback port with its own config
 * (never the machine's), and ssh logins against it.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function exec(file: string, args: readonly string[]): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await run(file, args, { encoding: "utf8", timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof e.code !== "number") throw error;
    return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

export async function sshKeygen(args: readonly string[]): Promise<CommandResult> {
  return exec("ssh-keygen", args);
}

export async function makeTempDir(prefix = "hostpass-test-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export async function writeSecret(path: string, content: string): Promise<string> {
  await writeFile(path, content, { mode: 0o600 });
  return path;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export interface SshdOptions {
  /** Directory holding sshd's files; sshd.conf, host key and logs go here. */
  readonly dir: string;
  /** Path of a TrustedUserCAKeys file; without it only `authorizedKeysFile` can authenticate. */
  readonly trustedUserCaKeys?: string;
  /** AuthorizedKeysFile pattern (default `none`: certificates only). */
  readonly authorizedKeysFile?: string;
  /** AuthorizedPrincipalsFile pattern, as the host agent writes them. */
  readonly authorizedPrincipalsFile?: string;
  readonly revokedKeys?: string;
  /** Host private key path (OpenSSH format); a fresh Ed25519 one is made when absent. */
  readonly hostKey?: string;
  readonly hostCertificate?: string;
  /**
   * Accounts sshd should know besides the machine's own (directory users, whose names are not in
   * this machine's /etc/passwd): sshd then runs in a private mount namespace where copies of
   * /etc/passwd and /etc/group with these added are bind-mounted (the machine's files untouched).
   */
  readonly users?: readonly { readonly name: string; readonly uid: number; readonly home: string }[];
}

export interface Sshd {
  readonly port: number;
  readonly hostKeyPub: string;
  log(): string;
  stop(): Promise<void>;
}

export async function startSshd(options: SshdOptions): Promise<Sshd> {
  const { dir } = options;
  let hostKey = options.hostKey;
  if (!hostKey) {
    hostKey = join(dir, "ssh_host_ed25519_key");
    await sshKeygen(["-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
  }
  const port = await freePort();
  const config = [
    `Port ${port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${hostKey}`,
    options.hostCertificate ? `HostCertificate ${options.hostCertificate}` : "",
    `PidFile ${join(dir, "sshd.pid")}`,
    `AuthorizedKeysFile ${options.authorizedKeysFile ?? "none"}`,
    options.authorizedPrincipalsFile ? `AuthorizedPrincipalsFile ${options.authorizedPrincipalsFile}` : "",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "UsePAM no",
    "PermitRootLogin prohibit-password",
    "StrictModes no",
    options.trustedUserCaKeys ? `TrustedUserCAKeys ${options.trustedUserCaKeys}` : "",
    "Subsystem sftp internal-sftp",
    options.revokedKeys ? `RevokedKeys ${options.revokedKeys}` : "",
    "LogLevel VERBOSE",
    "MaxStartups 50:30:100",
    "",
  ].join("\n");
  const configPath = join(dir, "sshd_config");
  await writeFile(configPath, config);
  await mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  const child = await spawnSshd(dir, configPath, options.users ?? []);
  let log = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    log += chunk;
  });
  await waitForListening(child, () => log, port);
  return {
    port,
    hostKeyPub: `${hostKey}.pub`,
    log: () => log,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

async function spawnSshd(
  dir: string,
  configPath: string,
  users: NonNullable<SshdOptions["users"]>,
): Promise<ChildProcess> {
  const sshd = ["/usr/sbin/sshd", "-D", "-e", "-f", configPath];
  if (users.length === 0)
    return spawn(sshd[0] as string, sshd.slice(1), { stdio: ["ignore", "ignore", "pipe"] });
  const passwd = join(dir, "passwd");
  const group = join(dir, "group");
  const lines = (f: (u: (typeof users)[number]) => string) => users.map((u) => `${f(u)}\n`).join("");
  await writeFile(
    passwd,
    `${await readFile("/etc/passwd", "utf8")}${lines((u) => `${u.name}:x:${u.uid}:${u.uid}::${u.home}:/bin/sh`)}`,
  );
  await writeFile(group, `${await readFile("/etc/group", "utf8")}${lines((u) => `g${u.uid}:x:${u.uid}:`)}`);
  for (const u of users) await chown(u.home, u.uid, u.uid);
  const script = 'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group && shift 2 && exec "$@"';
  // unshare execs the shell, which execs sshd: the child's pid is sshd's, so stop() signals sshd.
  return spawn(
    "unshare",
    ["--mount", "--propagation", "private", "sh", "-c", script, "sh", passwd, group, ...sshd],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
}

async function waitForListening(child: ChildProcess, log: () => string, port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (log().includes(`Server listening on 127.0.0.1 port ${port}`)) return;
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill("SIGKILL");
  throw new Error(`sshd did not start:\n${log()}`);
}

export interface LoginOptions {
  /** Address of the sshd (default 127.0.0.1; a local machine's own address for src/localvm). */
  readonly host?: string;
  readonly port: number;
  readonly user: string;
  readonly identityFile: string;
  readonly certificateFile?: string;
  /** A known_hosts file; with it the login runs with StrictHostKeyChecking=yes. */
  readonly knownHostsFile?: string;
  readonly hostKeyAlias?: string;
  readonly command?: string;
  /** Run a subsystem instead of a command (`-s`), e.g. internal-sftp, which needs no shell. */
  readonly subsystem?: string;
}

/** Runs a real `ssh` login in batch mode (no prompts); returns its exit code and output. */
export async function sshLogin(options: LoginOptions): Promise<CommandResult> {
  const args = [
    "-n",
    "-F",
    "/dev/null",
    "-o",
    "BatchMode=yes",
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "IdentityAgent=none",
    "-o",
    "ConnectTimeout=10",
    "-o",
    "LogLevel=ERROR",
    "-i",
    options.identityFile,
    "-p",
    String(options.port),
  ];
  if (options.certificateFile) args.push("-o", `CertificateFile=${options.certificateFile}`);
  if (options.knownHostsFile) {
    args.push("-o", "StrictHostKeyChecking=yes", "-o", `UserKnownHostsFile=${options.knownHostsFile}`);
    args.push("-o", "GlobalKnownHostsFile=/dev/null");
  } else {
    args.push("-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null");
  }
  if (options.hostKeyAlias) args.push("-o", `HostKeyAlias=${options.hostKeyAlias}`);
  const destination = `${options.user}@${options.host ?? "127.0.0.1"}`;
  if (options.subsystem) args.push("-s", destination, options.subsystem);
  else args.push(destination, options.command ?? "echo hostpass-login-ok");
  return exec("ssh", args);
}
