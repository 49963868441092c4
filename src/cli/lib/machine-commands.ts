/**
 * `vm identity|extension ...` and `vmss identity|extension ...` are the same commands on the two
 * machine kinds (the API shares their routes too): built here once, one file per verb exports each.
 */
import type { Command } from "commander";
import type { CliCommand } from "../command.ts";
import { ExtensionNotFoundError } from "../errors.ts";
import { openApi } from "../session/api.ts";
import { canonicalExtension, type ExtensionDto, getMachine, setExtension } from "./machines.ts";
import { resourceGroupOption } from "./options.ts";
import { readJsonArgument } from "./parse.ts";
import { type MachineKind, machinePath } from "./resource-paths.ts";

const WHAT: Readonly<Record<MachineKind, { noun: string; flag: string; example: string }>> = {
  vm: { noun: "virtual machine", flag: "--vm-name", example: "myVM" },
  vmss: { noun: "scale set", flag: "--vmss-name", example: "myVMSS" },
};

interface NameArgs {
  readonly resourceGroup: string;
  readonly name: string;
}

function nameOptions(command: Command, kind: MachineKind): void {
  resourceGroupOption(command).requiredOption("-n, --name <name>", `name of the ${WHAT[kind].noun}`);
}

export function identityAssignCommand(kind: MachineKind): CliCommand<NameArgs> {
  return {
    path: [kind, "identity", "assign"],
    summary: `Enable the ${WHAT[kind].noun}'s system-assigned managed identity (needed for directory login).`,
    examples: [
      {
        summary: "Enable the managed identity, as the seed does before the login extension.",
        command: `hostpass ${kind} identity assign -g LinuxVMs -n ${WHAT[kind].example}`,
      },
    ],
    configure: (command) => nameOptions(command, kind),
    async run(ctx, args) {
      const api = await openApi(ctx);
      const path = machinePath(kind, await api.subscriptionId(), args.resourceGroup, args.name);
      const identity = (await api.post(`${path}/identity`)) as { principalId: string; tenantId: string };
      return { systemAssignedIdentity: identity.principalId, userAssignedIdentities: {} };
    },
  };
}

export function identityRemoveCommand(kind: MachineKind): CliCommand<NameArgs> {
  return {
    path: [kind, "identity", "remove"],
    summary: `Disable the ${WHAT[kind].noun}'s managed identity: directory logins to it stop.`,
    examples: [
      {
        summary: "Disable the managed identity.",
        command: `hostpass ${kind} identity remove -g LinuxVMs -n ${WHAT[kind].example} --yes`,
      },
    ],
    confirmation: true,
    configure: (command) => nameOptions(command, kind),
    async run(ctx, args) {
      const api = await openApi(ctx);
      const path = machinePath(kind, await api.subscriptionId(), args.resourceGroup, args.name);
      await api.delete(`${path}/identity`);
      return undefined;
    },
  };
}

export function identityShowCommand(kind: MachineKind): CliCommand<NameArgs> {
  return {
    path: [kind, "identity", "show"],
    summary: `Show the ${WHAT[kind].noun}'s managed identity (nothing when it has none).`,
    examples: [
      {
        summary: "The identity's object id.",
        command: `hostpass ${kind} identity show -g LinuxVMs -n ${WHAT[kind].example} --query principalId -o tsv`,
      },
    ],
    configure: (command) => nameOptions(command, kind),
    async run(ctx, args) {
      return (await getMachine(await openApi(ctx), kind, args.resourceGroup, args.name)).identity;
    },
  };
}

interface ExtensionArgs {
  readonly resourceGroup: string;
  readonly vmName?: string;
  readonly vmssName?: string;
  readonly name: string;
}

function extensionOptions(command: Command, kind: MachineKind): void {
  resourceGroupOption(command)
    .requiredOption(`${WHAT[kind].flag} <name>`, `name of the ${WHAT[kind].noun}`)
    .requiredOption("-n, --name <name>", "name of the extension (AADSSHLoginForLinux is SSHLoginForLinux)");
}

const machineOf = (args: ExtensionArgs) => (args.vmName ?? args.vmssName) as string;

export function extensionSetCommand(
  kind: MachineKind,
): CliCommand<ExtensionArgs & { publisher?: string; version?: string; settings?: string; wait?: boolean }> {
  return {
    path: [kind, "extension", "set"],
    summary: `Enable an extension on a ${WHAT[kind].noun} and wait until it is provisioned.`,
    examples: [
      {
        summary: "Enable directory login, with the seed's names.",
        command: `hostpass ${kind} extension set --publisher Microsoft.Azure.ActiveDirectory --name AADSSHLoginForLinux -g LinuxVMs ${WHAT[kind].flag} ${WHAT[kind].example}`,
      },
      {
        summary: "The same with hostpass's own name.",
        command: `hostpass ${kind} extension set -n SSHLoginForLinux -g LinuxVMs ${WHAT[kind].flag} ${WHAT[kind].example}`,
      },
    ],
    configure(command) {
      extensionOptions(command, kind);
      command
        .option("--publisher <name>", "publisher (not needed for SSHLoginForLinux)")
        .option("--version <version>", "extension version")
        .option("--settings <json>", "public settings: JSON or @file")
        .option("--no-wait", "do not wait for provisioning to finish");
    },
    async run(ctx, args) {
      const { name, publisher } = canonicalExtension(args.name, args.publisher);
      const api = await openApi(ctx);
      const settings = args.settings
        ? ((await readJsonArgument("--settings", args.settings)) as Record<string, unknown>)
        : undefined;
      return setExtension(api, ctx, {
        kind,
        group: args.resourceGroup,
        machine: machineOf(args),
        name,
        publisher: publisher || "hostpass",
        ...(args.version ? { version: args.version } : {}),
        ...(settings ? { settings } : {}),
        noWait: args.wait === false,
      });
    },
  };
}

export function extensionDeleteCommand(kind: MachineKind): CliCommand<ExtensionArgs> {
  return {
    path: [kind, "extension", "delete"],
    summary: `Remove an extension from a ${WHAT[kind].noun}.`,
    examples: [
      {
        summary: "Remove the legacy extension (seed: migration from the previous preview).",
        command: `hostpass ${kind} extension delete -g LinuxVMs ${WHAT[kind].flag} ${WHAT[kind].example} -n AADLoginForLinux`,
      },
    ],
    configure: (command) => extensionOptions(command, kind),
    async run(ctx, args) {
      const api = await openApi(ctx);
      const path = machinePath(kind, await api.subscriptionId(), args.resourceGroup, machineOf(args));
      await api.delete(`${path}/extensions/${encodeURIComponent(canonicalExtension(args.name).name)}`);
      return undefined;
    },
  };
}

export function extensionListCommand(kind: MachineKind): CliCommand<Omit<ExtensionArgs, "name">> {
  return {
    path: [kind, "extension", "list"],
    summary: `List a ${WHAT[kind].noun}'s extensions with their provisioning state.`,
    examples: [
      {
        summary: "Extensions and their state as a table.",
        command: `hostpass ${kind} extension list -g LinuxVMs ${WHAT[kind].flag} ${WHAT[kind].example} -o table`,
      },
    ],
    configure(command) {
      resourceGroupOption(command).requiredOption(
        `${WHAT[kind].flag} <name>`,
        `name of the ${WHAT[kind].noun}`,
      );
    },
    async run(ctx, args) {
      const api = await openApi(ctx);
      const path = machinePath(
        kind,
        await api.subscriptionId(),
        args.resourceGroup,
        machineOf(args as ExtensionArgs),
      );
      return ((await api.get(`${path}/extensions`)) as { value: ExtensionDto[] }).value;
    },
  };
}

export function extensionShowCommand(kind: MachineKind): CliCommand<ExtensionArgs> {
  return {
    path: [kind, "extension", "show"],
    summary: `Show one extension of a ${WHAT[kind].noun}.`,
    examples: [
      {
        summary: "Is directory login provisioned?",
        command: `hostpass ${kind} extension show -g LinuxVMs ${WHAT[kind].flag} ${WHAT[kind].example} -n SSHLoginForLinux --query provisioningState -o tsv`,
      },
    ],
    configure: (command) => extensionOptions(command, kind),
    async run(ctx, args) {
      const api = await openApi(ctx);
      const path = machinePath(kind, await api.subscriptionId(), args.resourceGroup, machineOf(args));
      const wanted = canonicalExtension(args.name).name.toLowerCase();
      const all = ((await api.get(`${path}/extensions`)) as { value: ExtensionDto[] }).value;
      const found = all.find((e) => e.name.toLowerCase() === wanted);
      if (!found)
        throw new ExtensionNotFoundError(`The extension ${args.name} is not on ${machineOf(args)}.`);
      return found;
    },
  };
}
