/** What `ssh vm` (and `ssh config`) connect to, from their options, checked before anything runs. */
import { CliUsageError } from "../errors.ts";

export interface SshVmArgs {
  readonly name?: string;
  readonly resourceGroup?: string;
  readonly ip?: string;
  readonly resourceId?: string;
  readonly preferPrivateIp?: boolean;
  readonly port?: string;
  readonly privateKeyFile?: string;
  readonly publicKeyFile?: string;
  readonly jump?: string;
  readonly localUser?: string;
  readonly operands?: string[];
}

export interface SshTarget {
  /** A machine resource, or a bare address. */
  readonly machine?: { readonly group: string; readonly name: string };
  readonly ip?: string;
  readonly port?: string;
  readonly preferPrivateIp: boolean;
  /** The user's own key pair to certify (both paths), when given. */
  readonly keys?: { readonly privateKeyFile: string; readonly publicKeyFile: string };
  readonly jump?: string;
  readonly localUser?: string;
  readonly resourceGroup?: string;
}

const VM_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/(?:Microsoft\.)?Compute\/virtualMachines\/([^/]+)$/i;
/** A host name or address ssh may be given: no option-like or shell-meaningful text. */
const HOST = /^[A-Za-z0-9._:[\]-]{1,253}$/;

export function targetOf(args: SshVmArgs): SshTarget {
  const ways = [args.ip !== undefined, args.name !== undefined, args.resourceId !== undefined].filter(
    Boolean,
  );
  if (ways.length !== 1) throw new CliUsageError("give one of --ip, -n/--name with -g, or --resource-id");
  let machine: SshTarget["machine"];
  if (args.name !== undefined) {
    if (!args.resourceGroup) throw new CliUsageError("-n/--name needs -g/--resource-group");
    machine = { group: args.resourceGroup, name: args.name };
  } else if (args.resourceId !== undefined) {
    const m = VM_ID.exec(args.resourceId);
    if (!m)
      throw new CliUsageError(
        `--resource-id: ${JSON.stringify(args.resourceId)} is not a virtual machine id`,
      );
    machine = { group: decodeURIComponent(m[1] as string), name: decodeURIComponent(m[2] as string) };
  }
  if (args.ip !== undefined && (!HOST.test(args.ip) || args.ip.startsWith("-")))
    throw new CliUsageError(`--ip: ${JSON.stringify(args.ip)} is not an address or host name`);
  if (args.jump !== undefined && (!HOST.test(args.jump) || args.jump.startsWith("-")))
    throw new CliUsageError(`--jump: ${JSON.stringify(args.jump)} is not a machine name or address`);
  let keys: SshTarget["keys"];
  if (args.privateKeyFile !== undefined || args.publicKeyFile !== undefined) {
    const publicKeyFile = args.publicKeyFile ?? `${args.privateKeyFile}.pub`;
    const privateKeyFile = args.privateKeyFile ?? publicKeyFile.replace(/\.pub$/, "");
    if (privateKeyFile === publicKeyFile) throw new CliUsageError("--public-key-file must end in .pub");
    keys = { privateKeyFile, publicKeyFile };
  }
  return {
    ...(machine ? { machine } : {}),
    ...(args.ip !== undefined ? { ip: args.ip } : {}),
    ...(args.port !== undefined ? { port: args.port } : {}),
    preferPrivateIp: args.preferPrivateIp === true,
    ...(keys ? { keys } : {}),
    ...(args.jump !== undefined ? { jump: args.jump } : {}),
    ...(args.localUser !== undefined ? { localUser: args.localUser } : {}),
    ...(args.resourceGroup !== undefined ? { resourceGroup: args.resourceGroup } : {}),
  };
}

/** The address to connect to: public unless asked for private or there is none, as az picks it. */
export function pickAddress(
  machine: { readonly privateIps: string; readonly publicIps: string },
  preferPrivate: boolean,
): string | undefined {
  const first = (list: string) => list.split(",").find((ip) => ip !== "");
  const publicIp = first(machine.publicIps);
  const privateIp = first(machine.privateIps);
  return preferPrivate ? (privateIp ?? publicIp) : (publicIp ?? privateIp);
}
