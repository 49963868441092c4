/**
 * `hostpass ssh config --file F`: Host blocks for a machine (`-n -g`; `-n '*' -g` for every VM of a
 * group), an address (`--ip`; `'*'` for every host) or a resource id, with a certificate that
 * renews itself (see lib/ssh-config-file.ts): plain ssh, scp, sftp, rsync and VS Code keep working
 * past the certificate's lifetime, and a renewal never prompts.
 */
import { readFile, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { makeDirectory } from "../../../shared/make-directory.ts";
import type { CliCommand } from "../../command.ts";
import { CliUsageError, NoAddressError } from "../../errors.ts";
import type { MachineDto } from "../../lib/machines.ts";
import { machinePath, machinesPath } from "../../lib/resource-paths.ts";
import { checkConfigPath, type HostEntry, mergeBlock, renderBlock } from "../../lib/ssh-config-file.ts";
import { pickAddress, type SshVmArgs, targetOf } from "../../lib/ssh-target.ts";

interface Args extends Omit<SshVmArgs, "jump" | "localUser" | "operands"> {
  readonly file: string;
  readonly overwrite?: boolean;
  readonly keysDestinationFolder?: string;
}

export const sshConfigCommand: CliCommand<Args> = {
  path: ["ssh", "config"],
  summary:
    "Write ssh_config Host blocks whose certificate renews itself, for ssh, scp, sftp, rsync and VS Code.",
  examples: [
    {
      summary: "The seed's config for a VM, by name and by each of its addresses.",
      command: "hostpass ssh config --file ~/.ssh/config -n myVM -g LinuxVMs",
    },
    { summary: "By address.", command: "hostpass ssh config --file ~/.ssh/config --ip 10.11.12.13" },
    {
      summary: "Every VM of a resource group.",
      command: "hostpass ssh config --file ~/.ssh/config -g LinuxVMs -n '*'",
    },
    { summary: "Then use any OpenSSH tool.", command: "scp ./build.tgz LinuxVMs-myVM:/tmp/" },
  ],
  configure(command) {
    command
      .requiredOption("-f, --file <path>", "the ssh_config file to add to (created 0600 when missing)")
      .option("-n, --name <name>", "name of the virtual machine ('*' for all in -g)")
      .option("-g, --resource-group <name>", "its resource group")
      .option("--ip <address>", "address or host name ('*' for every host)")
      .option("--resource-id <id>", "the machine's resource id")
      .option("--prefer-private-ip", "the alias goes to the private address even when there is a public one")
      .option("--port <port>", "SSH port (default 22)")
      .option("-i, --private-key-file <path>", "your own private key (default: an ephemeral one)")
      .option("-p, --public-key-file <path>", "your own public key")
      .option(
        "--keys-destination-folder <dir>",
        "where the key and certificate live (default: in ~/.hostpass)",
      )
      .option("--overwrite", "replace the whole file instead of adding to it");
  },
  async run(ctx, args) {
    const everyHost = args.ip === "*";
    const everyVm = args.name === "*";
    const target = targetOf(
      {
        ...args,
        ...(everyHost ? { ip: "localhost" } : {}),
        ...(everyVm ? { name: "x" } : {}),
      },
      "pattern",
    );
    if (target.port !== undefined && !/^[1-9]\d{0,4}$/.test(target.port))
      throw new CliUsageError(`--port: ${JSON.stringify(target.port)} is not a port number`);
    const file = resolve(args.file);
    const { openSession } = await import("../../session/context.ts");
    const session = await openSession(ctx.env);
    // The file's folder and its current text before anything is made (a bad --file fails here).
    await makeDirectory(dirname(file));
    const existing = args.overwrite ? "" : await readIfPresent(file);
    const { apiFor } = await import("../../session/api.ts");
    const api = apiFor(session, ctx);
    const port = target.port ? { port: target.port } : {};
    const entries: [string, HostEntry][] = [];
    if (everyHost) entries.push(["*", { patterns: ["*"], ...port }]);
    else if (target.ip) entries.push([target.ip, { patterns: [target.ip], ...port }]);
    else {
      const { group } = target.machine as { group: string; name: string };
      const subscription = await api.subscriptionId();
      const wanted = everyVm
        ? await api.list<MachineDto>(machinesPath("vm", subscription, group))
        : [(await api.get(machinePath("vm", subscription, group, target.machine?.name ?? ""))) as MachineDto];
      if (wanted.length === 0) throw new NoAddressError(`no virtual machine in ${group}`);
      for (const m of wanted) {
        if (pickAddress(m, false) === undefined) {
          if (!everyVm) throw new NoAddressError(`${m.name} has no address yet; give --ip`);
          ctx.stderr.write(`WARNING: ${m.name} has no address yet; skipped\n`);
          continue;
        }
        entries.push([`${m.resourceGroup}-${m.name}`, machineEntry(m, target.preferPrivateIp, port)]);
      }
    }
    const { defaultKeysFolder } = await import("../../session/ssh-cache.ts");
    const folder = resolve(
      args.keysDestinationFolder ??
        defaultKeysFolder(session.dir, session.cloud.name, session.account.objectId),
    );
    checkConfigPath(folder, "--keys-destination-folder");
    const { loadKeyPair } = await import("../../session/ssh-credentials.ts");
    const keys = target.keys ? await loadKeyPair(resolve(target.keys.publicKeyFile)) : undefined;
    const { ensureCredential } = await import("../../session/renewal.ts");
    const credential = await ensureCredential(session, folder, {
      ...(keys ? { keys } : {}),
      interactive: true,
      env: ctx.env,
      print: (line) => ctx.stderr.write(`${line}\n`),
      signal: ctx.signal,
    });
    let text = existing;
    for (const [name, entry] of entries) text = mergeBlock(text, name, renderBlock(name, entry, credential));
    const mode = await stat(file).then(
      (s) => s.mode & 0o777,
      () => 0o600,
    );
    const { writeFileAtomic } = await import("../../../shared/atomic-write.ts");
    await writeFileAtomic(file, text, mode);
    return { file, hosts: entries.map(([name]) => name), user: credential.principal, keysFolder: folder };
  },
};

function machineEntry(m: MachineDto, preferPrivate: boolean, port: { port?: string }): HostEntry {
  const addresses = [...m.publicIps.split(","), ...m.privateIps.split(",")].filter((ip) => ip !== "");
  const hostName = pickAddress(m, preferPrivate);
  const alias = `${m.resourceGroup}-${m.name}`;
  return {
    patterns: [alias, ...addresses],
    ...(hostName ? { alias: { name: alias, hostName } } : {}),
    ...port,
  };
}

/** The file's text; "" only when it does not exist (an unreadable config must not be replaced). */
async function readIfPresent(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw error;
  }
}
