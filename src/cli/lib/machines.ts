/**
 * What `vm` and `vmss` commands share: the machine as the API returns it, the login extension's
 * names (the seed's publisher/name accepted as aliases), and extension provisioning with progress.
 */
import type { CliContext } from "../command.ts";
import { CancelledError, ExtensionFailedError, ExtensionTimeoutError } from "../errors.ts";
import type { ApiClient } from "../session/api.ts";
import { ServiceError } from "../session/errors.ts";
import { type MachineKind, machinePath } from "./resource-paths.ts";

export interface MachineDto {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly image: string;
  readonly adminUsername: string;
  readonly identity?: { readonly type: string; readonly principalId: string; readonly tenantId: string };
  readonly networkInterfaces: readonly { name: string; privateIp?: string; publicIp?: string }[];
  readonly privateIps: string;
  readonly publicIps: string;
  readonly extensions: readonly ExtensionDto[];
  /** az's display power state as far as the service can tell: "VM running" or "VM unknown". */
  readonly powerState: string;
  /** The machine's agent: ready (connected now), notReady (was, is not), unknown (never yet). */
  readonly agentStatus: string;
  readonly modelVersion: number;
  /** Scale-set instances only. */
  readonly latestModelApplied?: boolean;
}

export interface ExtensionDto {
  readonly name: string;
  readonly publisher: string;
  readonly type: string;
  readonly typeHandlerVersion: string;
  readonly provisioningState: string;
}

/** hostpass's login extension (PRODUCT.md §1). */
export const LOGIN_EXTENSION = { publisher: "hostpass", name: "SSHLoginForLinux" } as const;
/** The seed's names for it, accepted on the command line. */
const LOGIN_EXTENSION_ALIASES = new Set(["aadsshloginforlinux", "sshloginforlinux"]);

/** The extension the user named, with the seed's login extension mapped to hostpass's. */
export function canonicalExtension(name: string, publisher?: string): { name: string; publisher: string } {
  if (LOGIN_EXTENSION_ALIASES.has(name.toLowerCase())) return { ...LOGIN_EXTENSION };
  return { name, publisher: publisher ?? "" };
}

export async function getMachine(
  api: ApiClient,
  kind: MachineKind,
  group: string,
  name: string,
): Promise<MachineDto> {
  return (await api.get(machinePath(kind, await api.subscriptionId(), group, name))) as MachineDto;
}

const TERMINAL = new Set(["Succeeded", "Failed"]);

export interface ExtensionSetOptions {
  readonly kind: MachineKind;
  readonly group: string;
  readonly machine: string;
  readonly name: string;
  readonly publisher: string;
  readonly version?: string;
  readonly settings?: Record<string, unknown>;
  readonly noWait?: boolean;
  /** How often to poll while the host agent provisions (tests shorten it). */
  readonly pollMs?: number;
  /** Give up waiting after this long (the extension keeps provisioning; `extension show` tells). */
  readonly timeoutMs?: number;
}

/**
 * Enables an extension and, unless --no-wait, follows its provisioning (Creating → Succeeded or
 * Failed, as the machine's agent reports it) with progress on stderr, as `az vm extension set` does.
 */
export async function setExtension(
  api: ApiClient,
  ctx: CliContext,
  o: ExtensionSetOptions,
): Promise<ExtensionDto> {
  const path = machinePath(o.kind, await api.subscriptionId(), o.group, o.machine);
  const body = {
    publisher: o.publisher,
    type: o.name,
    ...(o.version ? { typeHandlerVersion: o.version } : {}),
    ...(o.settings ? { settings: o.settings } : {}),
  };
  let extension = (await api.put(`${path}/extensions/${encodeURIComponent(o.name)}`, body)) as ExtensionDto;
  if (o.noWait) return extension;
  const started = Date.now();
  const progress = (state: string) => {
    if (!ctx.globals.onlyShowErrors) ctx.stderr.write(`${o.name} on ${o.machine}: ${state}\n`);
  };
  let shown = "";
  while (!TERMINAL.has(extension.provisioningState)) {
    if (extension.provisioningState !== shown) {
      shown = extension.provisioningState;
      progress(shown);
    }
    if (Date.now() - started > (o.timeoutMs ?? 600_000)) {
      throw new ExtensionTimeoutError(
        `${o.name} is still ${extension.provisioningState} on ${o.machine}; check later with \`hostpass ${o.kind} extension show\``,
      );
    }
    await sleep(o.pollMs ?? 2000, ctx.signal);
    const list = (await api.get(`${path}/extensions`)) as { value: ExtensionDto[] };
    const found = list.value.find((e) => e.name.toLowerCase() === o.name.toLowerCase());
    if (!found)
      throw new ServiceError(404, "ERR_RESOURCE_NOT_FOUND", `${o.name} was removed while provisioning`);
    extension = found;
  }
  if (extension.provisioningState === "Failed")
    throw new ExtensionFailedError(
      `${o.name} failed to provision on ${o.machine}; see \`hostpass ${o.kind} extension show\``,
    );
  return extension;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(new CancelledError("cancelled"));
      },
      { once: true },
    );
  });
}

/** A table transformer from a row of one machine: for a list, or for one (`show`). */
function rowsOf(row: (m: MachineDto) => Record<string, unknown>): (result: unknown) => unknown {
  return (result) => (Array.isArray(result) ? result.map(row) : row(result as MachineDto));
}

/**
 * `vm list|show -o table`: az's `vm list -d` columns where hostpass has the field (Name,
 * ResourceGroup, PowerState, PublicIps, Location; no FQDNs or zones here) and the private
 * addresses, the only ones most machines on a private network have.
 */
export const machineRows = rowsOf((m) => ({
  Name: m.name,
  ResourceGroup: m.resourceGroup,
  PowerState: m.powerState,
  PublicIps: m.publicIps,
  PrivateIps: m.privateIps,
  Location: m.location,
}));

/**
 * `vmss list|show -o table`: az's Name, ResourceGroup, Location, and the model the set's
 * instances should run (image and its version; `list-instances` says which do).
 */
export const scaleSetRows = rowsOf((m) => ({
  Name: m.name,
  ResourceGroup: m.resourceGroup,
  Location: m.location,
  Image: m.image,
  ModelVersion: m.modelVersion,
}));

/**
 * `vmss list-instances -o table`: az's InstanceId, LatestModelApplied, ModelVersion,
 * ResourceGroup, with the power state and private addresses as for a VM.
 */
export const instanceRows = rowsOf((m) => ({
  InstanceId: m.name,
  ResourceGroup: m.resourceGroup,
  PowerState: m.powerState,
  LatestModelApplied: m.latestModelApplied,
  ModelVersion: m.modelVersion,
  PrivateIps: m.privateIps,
}));

/**
 * `vm list-ip-addresses -o table`: az's columns (VirtualMachine, PublicIPAddresses,
 * PrivateIPAddresses) with the resource group too; several addresses are comma-separated.
 */
export function ipAddressRows(result: unknown): unknown {
  return (result as ReturnType<typeof ipAddressesOf>[]).map(({ virtualMachine: vm }) => ({
    VirtualMachine: vm.name,
    ResourceGroup: vm.resourceGroup,
    PublicIPAddresses: vm.network.publicIpAddresses.map((p) => p.ipAddress).join(","),
    PrivateIPAddresses: vm.network.privateIpAddresses.join(","),
  }));
}

export function ipAddressesOf(m: MachineDto) {
  return {
    virtualMachine: {
      name: m.name,
      resourceGroup: m.resourceGroup,
      network: {
        privateIpAddresses: m.networkInterfaces.flatMap((n) => (n.privateIp ? [n.privateIp] : [])),
        publicIpAddresses: m.networkInterfaces.flatMap((n) =>
          n.publicIp ? [{ ipAddress: n.publicIp, name: n.name, resourceGroup: m.resourceGroup }] : [],
        ),
      },
    },
  };
}
