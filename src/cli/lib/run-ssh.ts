/**
 * `ssh vm`'s work: the account, the address, the certificate (cached or renewed), then the system
 * `ssh` with it, its exit status passed on. When ssh cannot get in (255) and the machine is a
 * resource (or `--ip` names the address of exactly one VM), the service is asked why, to print the
 * seed's troubleshooting texts. A run that got in leaves a record for bin/hostpass's fast path
 * (session/fast-path.ts); a refused one removes it.
 * bin/hostpass runs this with HOSTPASS_FASTPATH_SSH_EXIT=255 after its own ssh was refused: then
 * only the diagnosis is made (ssh is not run again).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { rm } from "node:fs/promises";
import { isIP } from "node:net";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { CliContext } from "../command.ts";
import {
  CliUsageError,
  LoginNotEnabledError,
  LoginRoleMissingError,
  NoAddressError,
  UnknownHostError,
} from "../errors.ts";
import { type Account, defaultAccount } from "../session/accounts.ts";
import { type CloudProfile, showCloud } from "../session/clouds.ts";
import { configDir } from "../session/config-dir.ts";
import type { Session } from "../session/context.ts";
import { NotSignedInError } from "../session/errors.ts";
import {
  ADDRESS_RECHECK_SECONDS,
  currentGeneration,
  type FastPathTarget,
  recordName,
  removeRecord,
  writeRecord,
} from "../session/fast-path.ts";
import {
  type CachedCredential,
  defaultKeysFolder,
  readFresh,
  readMeta,
  renewMarginSeconds,
} from "../session/ssh-cache.ts";
import type { MachineDto } from "./machines.ts";
import { machinePath } from "./resource-paths.ts";
import { pickAddress, type SshTarget } from "./ssh-target.ts";

interface Signed {
  readonly dir: string;
  readonly cloud: CloudProfile;
  readonly account: Account;
  session?: Session;
}

async function sessionOf(signed: Signed): Promise<Session> {
  if (!signed.session) {
    const { openSession } = await import("../session/context.ts");
    signed.session = await openSession({ HOSTPASS_CONFIG_DIR: signed.dir });
  }
  return signed.session;
}

/** The machine; a caller who may not even read it holds no login role on it: the seed's words. */
async function machineOf(ctx: CliContext, signed: Signed, group: string, name: string): Promise<MachineDto> {
  const { apiFor } = await import("../session/api.ts");
  const api = apiFor(await sessionOf(signed), ctx);
  const path = machinePath("vm", await api.subscriptionId(), group, name);
  try {
    return (await api.get(path)) as MachineDto;
  } catch (error) {
    if ((error as { code?: string }).code !== "ERR_AUTHORIZATION_FAILED") throw error;
    throw new LoginRoleMissingError(
      `Access denied: role not assigned. ${signed.account.user.name} may not even see ${name} in ${group}; ask an owner for Virtual Machine User Login or Virtual Machine Administrator Login on it.`,
      { cause: error },
    );
  }
}

/** The keys folder of this account (and of `-i/-p`'s key). */
function keysFolderFor(signed: Signed, target: Pick<SshTarget, "keys">): string {
  const base = defaultKeysFolder(signed.dir, signed.cloud.name, signed.account.objectId);
  const privateKeyFile = target.keys ? resolve(target.keys.privateKeyFile) : undefined;
  return privateKeyFile
    ? join(base, `own-${createHash("sha256").update(privateKeyFile).digest("hex").slice(0, 16)}`)
    : base;
}

/** The cached certificate for this account (and key), or a new one; `cached` says which. */
async function credentialFor(
  ctx: CliContext,
  signed: Signed,
  target: SshTarget,
): Promise<{ credential: CachedCredential; cached: boolean }> {
  const privateKeyFile = target.keys ? resolve(target.keys.privateKeyFile) : undefined;
  const folder = keysFolderFor(signed, target);
  const cached = await readFresh(folder, Date.now());
  if (
    cached &&
    cached.objectId === signed.account.objectId &&
    cached.privateKeyFile === (privateKeyFile ?? cached.privateKeyFile)
  )
    return { credential: cached, cached: true };
  const { ensureCredential } = await import("../session/renewal.ts");
  const { loadKeyPair } = await import("../session/ssh-credentials.ts");
  const keys = target.keys ? await loadKeyPair(resolve(target.keys.publicKeyFile)) : undefined;
  const credential = await ensureCredential(await sessionOf(signed), folder, {
    ...(keys ? { keys } : {}),
    interactive: true,
    env: ctx.env,
    print: (line) => ctx.stderr.write(`${line}\n`),
    signal: ctx.signal,
  });
  return { credential, cached: false };
}

/**
 * ssh could not get in (255) with a certificate from the cache and the service names no reason:
 * the host may refuse that certificate (revoked since, e.g. the user was disabled and enabled
 * again). It is dropped, so the next run gets a fresh one, and the user is told (trial finding 1).
 * Not retried here: a remote command that itself exited 255 must not run twice.
 */
async function dropRefusedCertificate(ctx: CliContext, folder: string): Promise<void> {
  const meta = await readMeta(folder);
  if (!meta) return;
  await rm(join(folder, "meta.json"), { force: true });
  const since = new Date(meta.validAfter * 1000).toISOString().slice(11, 16);
  ctx.stderr.write(
    `hostpass: ssh could not get in with the certificate cached since ${since} UTC (the host may have refused it, e.g. revoked); it is dropped: run the command again for a fresh one.\n`,
  );
}

/** ssh_config quoting for a path given with -o. */
const quoted = (path: string) => `"${path.replace(/(["\\])/g, "\\$1")}"`;

/** Options of `ssh vm` itself (`ssh config` has none of this). */
export interface SshVmRun {
  /** The arguments that name the target, when bin/hostpass's fast path could serve them next time. */
  readonly fastPath?: FastPathTarget;
}

const CONNECT_TIMEOUT_SECONDS = 15;

export async function runSsh(
  ctx: CliContext,
  target: SshTarget,
  extra: readonly string[],
  options: SshVmRun = {},
): Promise<number> {
  if (target.localUser !== undefined && !/^[A-Za-z_][A-Za-z0-9_.@-]{0,63}$/.test(target.localUser))
    throw new CliUsageError(`--local-user: ${JSON.stringify(target.localUser)} is not a user name`);
  // A name nobody knows is said here, with a code, rather than as ssh's own words (exit 255).
  // Through --jump the jump host resolves it; bin/hostpass's diagnosis run had it resolve already.
  if (target.ip !== undefined && !target.jump && ctx.env.HOSTPASS_FASTPATH_SSH_EXIT !== "255")
    await checkResolves(target.ip);
  const dir = configDir(ctx.env);
  const fastPath = options.fastPath && !target.keys && target.localUser === undefined && !target.jump;
  const record = fastPath ? recordName(options.fastPath as FastPathTarget) : undefined;
  // Before the accounts and clouds are read (fast-path.ts says why).
  const generation = record ? await currentGeneration(dir) : undefined;
  const cloud = await showCloud(dir);
  // A break-glass login by address needs no hostpass account: it must work when sign-in does not.
  const breakGlass = target.localUser !== undefined && !target.machine;
  const account = await defaultAccount(dir, cloud.name).catch((error: unknown) => {
    if (breakGlass && error instanceof NotSignedInError) return error;
    throw error;
  });
  const signed: Signed = {
    dir,
    cloud,
    get account() {
      if (account instanceof NotSignedInError) throw account;
      return account;
    },
  };
  let machine: MachineDto | undefined;
  let host = target.ip;
  if (target.machine) {
    machine = await machineOf(ctx, signed, target.machine.group, target.machine.name);
    host = pickAddress(machine, target.preferPrivateIp);
    if (!host) throw new NoAddressError(`${machine.name} has no address yet; give --ip`);
  }
  if (ctx.env.HOSTPASS_FASTPATH_SSH_EXIT === "255") {
    // bin/hostpass ran ssh from a record and it could not get in: say why, and drop the record.
    if (record) await removeRecord(dir, record);
    if (target.localUser === undefined) {
      // (bash's ssh printed its own message already; the explanation follows it.)
      await explainRefusal(ctx, signed, machine ?? target, []);
      // The fast path ran ssh with the cached certificate of the default folder.
      if (!target.keys) await dropRefusedCertificate(ctx, keysFolderFor(signed, {}));
    }
    return 255;
  }
  const args: string[] = [];
  const home = ctx.env.HOME || homedir();
  let user = target.localUser;
  let credential: CachedCredential | undefined;
  let fromCache = false;
  if (target.localUser !== undefined) {
    // No certificate, but the host is verified as on the certificate path: the tenant's host CA.
    if (target.keys) args.push("-i", resolve(target.keys.privateKeyFile));
    const { hostCaKnownHosts } = await import("../session/renewal.ts");
    const hostCa = await hostCaKnownHosts(dir, signed.cloud, (line) => {
      if (!ctx.globals.onlyShowErrors) ctx.stderr.write(`${line}\n`);
    });
    if (hostCa)
      args.push("-o", `UserKnownHostsFile=${quoted(hostCa)} ${quoted(join(home, ".ssh", "known_hosts"))}`);
  } else {
    const got = await credentialFor(ctx, signed, target);
    credential = got.credential;
    fromCache = got.cached;
    user = credential.principal;
    args.push(
      "-i",
      credential.privateKeyFile,
      "-o",
      `CertificateFile=${quoted(credential.certificateFile)}`,
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      `UserKnownHostsFile=${quoted(credential.knownHostsFile)} ${quoted(join(home, ".ssh", "known_hosts"))}`,
    );
    if (target.jump !== undefined) {
      const jumpHost = await jumpAddress(ctx, signed, target);
      // ProxyJump would not pass -i/-o to the jump connection: say it all in a ProxyCommand.
      const words = ["ssh", ...args, "-l", user, jumpHost].map((w) => shellQuote(w).replace(/%/g, "%%"));
      args.push("-o", `ProxyCommand=${[...words.slice(0, -1), "-W", "'[%h]:%p'", words.at(-1)].join(" ")}`);
    }
  }
  // An address nothing answers would otherwise hold ssh for the kernel's TCP timeout (minutes).
  args.push("-o", `ConnectTimeout=${CONNECT_TIMEOUT_SECONDS}`);
  if (target.port !== undefined) args.push("-p", target.port);
  args.push("-l", user as string, host as string, ...extra);
  const { code, held } = await spawnSsh(ctx, args);
  if (record && code === 255) await removeRecord(dir, record);
  if (record && generation && credential && code !== 255) {
    // ssh got in (255 is ssh's own failure): the fast path may repeat exactly this.
    const renewAt = credential.validBefore - renewMarginSeconds(credential);
    const recheck = machine ? Math.floor(Date.now() / 1000) + ADDRESS_RECHECK_SECONDS : renewAt;
    await writeRecord(dir, record, {
      generation,
      cloud: signed.cloud.name,
      objectId: signed.account.objectId,
      target: options.fastPath as FastPathTarget,
      home,
      privateKeyFile: credential.privateKeyFile,
      certificateFile: credential.certificateFile,
      knownHostsFile: credential.knownHostsFile,
      metaFile: join(credential.folder, "meta.json"),
      validBefore: credential.validBefore,
      usableUntil: Math.min(renewAt, recheck),
      sshArgs: args.slice(0, args.length - extra.length),
    }).catch(() => undefined); // no record: the next run is a Node run, nothing else lost
  }
  if (code === 255 && target.localUser === undefined) {
    await explainRefusal(ctx, signed, machine ?? target, held);
    if (fromCache && credential) await dropRefusedCertificate(ctx, credential.folder);
  } else for (const line of held) ctx.stderr.write(line);
  return code;
}

/**
 * ssh could not get in (255): the service's explanation (thrown, with its code) takes the place
 * of ssh's own "Permission denied" line, held back while ssh ran (new-user trial: the cause
 * came after ssh's line and was missed); without an explanation, ssh's line stands, followed by
 * what hostpass can say. `--debug` shows both.
 */
async function explainRefusal(
  ctx: CliContext,
  signed: Signed,
  target: MachineDto | Pick<SshTarget, "ip" | "resourceGroup">,
  held: readonly string[],
): Promise<void> {
  let note: string | undefined;
  try {
    note = await diagnose(ctx, signed, target);
  } catch (error) {
    const explained = error instanceof LoginRoleMissingError || error instanceof LoginNotEnabledError;
    if (!explained || ctx.globals.debug) for (const line of held) ctx.stderr.write(line);
    throw error;
  }
  for (const line of held) ctx.stderr.write(line);
  if (note) ctx.stderr.write(note);
}

/**
 * Why ssh could not get in, for a machine resource or the one VM with the address `--ip` gave:
 * thrown as the error that explains it; otherwise what can be said instead (a line), if anything.
 */
async function diagnose(
  ctx: CliContext,
  signed: Signed,
  target: MachineDto | Pick<SshTarget, "ip" | "resourceGroup">,
): Promise<string | undefined> {
  let machine: MachineDto | undefined;
  if ("id" in target) machine = target;
  else if (target.ip !== undefined) {
    const at = await machinesAt(ctx, signed, target.ip, target.resourceGroup);
    // Trial finding 4: the service can tell why only for a VM the caller may find by address;
    // otherwise the user is told how to ask (ssh's "Permission denied" alone said nothing).
    const where = target.resourceGroup ? ` in ${target.resourceGroup}` : "";
    if (at === "not-listable" || at?.length === 0)
      return `hostpass: ${at === "not-listable" ? `you may not list the virtual machines${where}` : `no virtual machine you may read${where} has the address ${target.ip}`}, so the service cannot say why ssh could not get in; if ${target.ip} is a hostpass VM, \`hostpass ssh vm -n <name> -g <group>\` says why (e.g. ERR_LOGIN_ROLE_MISSING when you hold no login role on it).\n`;
    machine = Array.isArray(at) && at.length === 1 ? at[0] : undefined;
  }
  if (!machine) return undefined;
  const { diagnoseLogin } = await import("./ssh-diagnose.ts");
  await diagnoseLogin(ctx, await sessionOf(signed), machine);
  return undefined;
}

/**
 * The VMs with this address in the subscription (or in `-g`) that the caller may read,
 * "not-listable" when the listing is refused (no read on the subscription or group), undefined
 * when it fails otherwise (ssh's own message then stands alone).
 */
async function machinesAt(
  ctx: CliContext,
  signed: Signed,
  address: string,
  group: string | undefined,
): Promise<MachineDto[] | "not-listable" | undefined> {
  const { apiFor } = await import("../session/api.ts");
  const { listMachines } = await import("../commands/vm/list.ts");
  const all = await listMachines(apiFor(await sessionOf(signed), ctx), "vm", group).catch((error) =>
    (error as { code?: string }).code === "ERR_AUTHORIZATION_FAILED" ? ("not-listable" as const) : undefined,
  );
  if (all === "not-listable") return all;
  return all?.filter((m) => [m.privateIps, m.publicIps].some((list) => list.split(",").includes(address)));
}

async function jumpAddress(ctx: CliContext, signed: Signed, target: SshTarget): Promise<string> {
  const jump = target.jump as string;
  if (/[.:]/.test(jump)) return jump;
  const group = target.machine?.group ?? target.resourceGroup;
  if (!group) throw new CliUsageError("--jump with a machine name needs -g/--resource-group");
  const bastion = await machineOf(ctx, signed, group, jump);
  const address = pickAddress(bastion, false);
  if (!address) throw new NoAddressError(`the jump machine ${jump} has no address`);
  return address;
}

/** Errors of getaddrinfo that mean "no such host" (not "the resolver is unreachable"). */
const NO_SUCH_HOST = new Set(["ENOTFOUND", "ENODATA", "EAI_NONAME", "EAI_NODATA"]);

/**
 * `--ip` given as a name: looked up with the system's resolver (the one ssh uses: /etc/hosts, then
 * DNS). Only a definite "no such host" stops here; a resolver that cannot answer lets ssh try.
 */
async function checkResolves(host: string): Promise<void> {
  if (isIP(host) !== 0) return;
  const { lookup } = await import("node:dns/promises");
  try {
    await lookup(host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    if (NO_SUCH_HOST.has(code))
      throw new UnknownHostError(
        `--ip: ${host} is not an address, and no host has that name (/etc/hosts, DNS); give the machine's IPv4 or IPv6 address, or -n and -g`,
        { cause: error },
      );
  }
}

/** POSIX shell quoting (ProxyCommand runs through the shell). */
function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%[\]-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** The system ssh with the terminal (or, in-process, piped to the command's streams). */
/** ssh's own line when the host refused every key: `user@host: Permission denied (publickey).` */
const PERMISSION_DENIED = /^\S+: Permission denied \([^)]*\)\.\r?\n$/;

/**
 * Runs ssh; its exit status, and its "Permission denied" line, held back from stderr (runSsh
 * prints it unless the service explains the refusal). Everything else on stderr passes at once:
 * ssh writes its own messages as whole lines, prompts go to the terminal itself (/dev/tty).
 */
function spawnSsh(ctx: CliContext, args: readonly string[]): Promise<{ code: number; held: string[] }> {
  const inherit = ctx.stdout === process.stdout && ctx.stderr === process.stderr;
  if (ctx.globals.debug) ctx.stderr.write(`DEBUG: ssh ${args.map(shellQuote).join(" ")}\n`);
  const held: string[] = [];
  return new Promise((resolveCode, reject) => {
    const child = spawn("ssh", args, {
      stdio: inherit ? ["inherit", "inherit", "pipe"] : ["ignore", "pipe", "pipe"],
      env: ctx.env,
    });
    if (!inherit) child.stdout?.pipe(ctx.stdout, { end: false });
    child.stderr?.on("data", (chunk: Buffer) => {
      const text = chunk.toString("latin1"); // byte for byte: written back as latin1
      const lines = text.split(/(?<=\n)/);
      const pass = lines.filter((line) => {
        if (!PERMISSION_DENIED.test(line)) return true;
        held.push(line);
        return false;
      });
      if (pass.length === lines.length) ctx.stderr.write(chunk);
      else if (pass.length > 0) ctx.stderr.write(Buffer.from(pass.join(""), "latin1"));
    });
    const forward = () => child.kill(ctx.signal.reason === "SIGTERM" ? "SIGTERM" : "SIGINT");
    ctx.signal.addEventListener("abort", forward, { once: true });
    child.once("error", (cause) =>
      reject(
        new CliUsageError(`cannot run ssh (is OpenSSH's client installed?): ${cause.message}`, { cause }),
      ),
    );
    child.once("close", (code, signal) => {
      ctx.signal.removeEventListener("abort", forward);
      resolveCode({ code: code ?? (signal === "SIGINT" ? 130 : 255), held });
    });
  });
}
