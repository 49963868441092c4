/**
 * `hostpass vm create`: registers the machine (and, where a local provider is configured, the
 * service starts it). `--assign-identity` gives it a system-assigned managed identity;
 * `--enable-login` (the portal's "login with directory identity" box) also enables the login
 * extension; `--generate-ssh-keys` makes ~/.ssh/id_ed25519 for the break-glass admin when missing.
 */
import { userInfo } from "node:os";
import type { CliCommand } from "../../command.ts";
import { adminKeyFor } from "../../lib/admin-key.ts";
import { LOGIN_EXTENSION, type MachineDto, setExtension } from "../../lib/machines.ts";
import { resourceGroupOption, tagsOption } from "../../lib/options.ts";
import { parseTags } from "../../lib/parse.ts";
import { machinePath } from "../../lib/resource-paths.ts";
import { openApi } from "../../session/api.ts";

export interface MachineCreateArgs {
  readonly resourceGroup: string;
  readonly name: string;
  readonly image: string;
  readonly adminUsername?: string;
  readonly assignIdentity?: boolean;
  readonly enableLogin?: boolean;
  readonly generateSshKeys?: boolean;
  readonly sshKeyValues?: string;
  readonly size?: string;
  readonly location?: string;
  readonly tags?: string[];
  readonly privateIpAddress?: string;
  readonly publicIpAddress?: string;
}

export const vmCreateCommand: CliCommand<MachineCreateArgs> = {
  path: ["vm", "create"],
  summary: "Create a virtual machine.",
  examples: [
    {
      summary: "Create the seed's VM with a managed identity.",
      command:
        "hostpass vm create -g LinuxVMs -n myVM --image debian-12 --assign-identity --admin-username localadmin --generate-ssh-keys",
    },
    {
      summary: "Create a VM with directory login enabled (identity and login extension).",
      command: "hostpass vm create -g LinuxVMs -n web1 --image debian-12 --enable-login",
    },
  ],
  configure(command) {
    machineCreateOptions(resourceGroupOption(command), "virtual machine");
  },
  async run(ctx, args) {
    return createMachine(ctx, "vm", args);
  },
};

export function machineCreateOptions(command: import("commander").Command, what: string): void {
  command
    .requiredOption("-n, --name <name>", `name of the ${what}`)
    .requiredOption("--image <image>", "OS image, e.g. debian-12")
    .option(
      "--admin-username <name>",
      "the local (break-glass) administrator (default: your user name, or localadmin for root)",
    )
    .option("--assign-identity", "enable the system-assigned managed identity")
    .option("--enable-login", "enable login with directory identity (managed identity + SSHLoginForLinux)")
    .option("--generate-ssh-keys", "make ~/.ssh/id_ed25519 for the admin account if it is missing")
    .option("--ssh-key-values <file>", "public key file for the admin account")
    .option("--size <size>", "machine size")
    .option("-l, --location <location>", "location (default: the resource group's)")
    .option("--private-ip-address <ip>", "its private address (when no local provider assigns one)")
    .option("--public-ip-address <ip>", "its public address (when no local provider assigns one)");
  tagsOption(command);
}

/** As az: your own user name; `localadmin` when that is root (never a machine's admin account). */
function defaultAdminUsername(): string {
  const name = userInfo().username;
  return name === "root" ? "localadmin" : name;
}

export async function createMachine(
  ctx: Parameters<CliCommand["run"]>[0],
  kind: "vm" | "vmss",
  args: MachineCreateArgs,
): Promise<Record<string, unknown>> {
  const api = await openApi(ctx);
  const admin = await adminKeyFor(ctx, args);
  const nic =
    args.privateIpAddress || args.publicIpAddress
      ? [
          {
            name: `${args.name}VMNic`,
            ...(args.privateIpAddress ? { privateIp: args.privateIpAddress } : {}),
            ...(args.publicIpAddress ? { publicIp: args.publicIpAddress } : {}),
          },
        ]
      : undefined;
  const path = machinePath(kind, await api.subscriptionId(), args.resourceGroup, args.name);
  let machine = (await api.put(path, {
    image: args.image,
    adminUsername: args.adminUsername ?? defaultAdminUsername(),
    assignIdentity: args.assignIdentity === true || args.enableLogin === true,
    ...(args.size ? { size: args.size } : {}),
    ...(args.location ? { location: args.location } : {}),
    ...(args.tags ? { tags: parseTags(args.tags) } : {}),
    ...(nic ? { networkInterfaces: nic } : {}),
    ...(admin ? { adminSshPublicKey: admin } : {}),
  })) as MachineDto;
  if (args.enableLogin) {
    await setExtension(api, ctx, { kind, group: args.resourceGroup, machine: args.name, ...LOGIN_EXTENSION });
    machine = (await api.get(path)) as MachineDto;
  }
  // Without a local provider the service registers the machine and says how to join a real host.
  const join = (machine as { joinCommand?: unknown }).joinCommand;
  if (typeof join === "string" && !ctx.globals.onlyShowErrors)
    ctx.stderr.write(
      `Run this as root on the machine to join it (the code is single use and expires):\n  ${join}\n`,
    );
  return {
    ...(typeof join === "string" ? { joinCommand: join } : {}),
    id: machine.id,
    identity: machine.identity ?? null,
    location: machine.location,
    // The service's (az's) power state; the agent's own state beside it (it may connect later).
    ...(kind === "vm" ? { powerState: machine.powerState, agentStatus: machine.agentStatus } : {}),
    privateIpAddress: machine.privateIps,
    publicIpAddress: machine.publicIps,
    resourceGroup: machine.resourceGroup,
  };
}
