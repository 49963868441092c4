/** What `ssh vm` (and `ssh config`) connect to, from their options, checked before anything runs. */
import { isIP } from "node:net";
import { CliUsageError, InvalidHostError } from "../errors.ts";
import { parsePort } from "./parse.ts";

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
/** A machine name for `--jump` (resolved through -g): no option-like or shell-meaningful text. */
const MACHINE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9_])?$/;
/** One label of a host name (RFC 1123; `_` too, as resolvers and /etc/hosts accept it). */
const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/**
 * An address or host name as ssh will be given it: IPv4 (dotted quad), IPv6 (brackets dropped),
 * or a host name of labels (at most 253 characters, optional final dot) whose last label is not
 * all digits, so `10.11.123.456` is a bad IPv4 address, not a name. Anything else is
 * ERR_CLI_INVALID_HOST before anything runs.
 */
export function checkHost(value: string, flag: string): string {
  const bare = /^\[.*\]$/.test(value) ? value.slice(1, -1) : value;
  if (isIP(bare) === 6 || (bare === value && isIP(bare) === 4)) return bare;
  const what = `${flag}: ${JSON.stringify(value.slice(0, 300))}`;
  if (bare !== value || bare.includes(":")) throw new InvalidHostError(`${what} is not an IPv6 address`);
  if (/^[0-9.]+$/.test(bare)) throw new InvalidHostError(`${what} is not an IPv4 address`);
  const name = bare.endsWith(".") ? bare.slice(0, -1) : bare;
  const labels = name.split(".");
  if (
    name.length === 0 ||
    name.length > 253 ||
    !labels.every((l) => LABEL.test(l)) ||
    /^\d+$/.test(labels.at(-1) as string)
  )
    throw new InvalidHostError(`${what} is not an IPv4 or IPv6 address nor a host name`);
  return bare;
}

/** What `ssh config` writes as a Host pattern for `--ip`: no option-like or ssh_config-meaningful text. */
const HOST_PATTERN = /^[A-Za-z0-9_:[\]][A-Za-z0-9._:[\]-]{0,252}$/;

/**
 * `hosts`: "connect" (`ssh vm`: `--ip` must be an address or a host name, checkHost) or "pattern"
 * (`ssh config` only writes `--ip` as a Host pattern, as az does, so even the seed's own example
 * `10.11.123.456`, which is no IPv4 address, is written as it was given).
 */
export function targetOf(args: SshVmArgs, hosts: "connect" | "pattern" = "connect"): SshTarget {
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
  let ip = args.ip;
  if (ip !== undefined && hosts === "connect") ip = checkHost(ip, "--ip");
  else if (ip !== undefined && !HOST_PATTERN.test(ip))
    throw new InvalidHostError(`--ip: ${JSON.stringify(ip.slice(0, 300))} is not an address or host name`);
  // --jump: an address (it has a dot or a colon) or the name of a VM in -g.
  const jump =
    args.jump === undefined
      ? undefined
      : /[.:[]/.test(args.jump)
        ? checkHost(args.jump, "--jump")
        : MACHINE_NAME.test(args.jump)
          ? args.jump
          : undefined;
  if (args.jump !== undefined && jump === undefined)
    throw new CliUsageError(`--jump: ${JSON.stringify(args.jump)} is not a machine name or address`);
  // The jump connection is made with the certificate; a break-glass login has none.
  if (args.localUser !== undefined && args.jump !== undefined)
    throw new CliUsageError(
      "--jump cannot be combined with --local-user (the jump host is reached with your certificate)",
    );
  let keys: SshTarget["keys"];
  if (args.privateKeyFile !== undefined || args.publicKeyFile !== undefined) {
    const publicKeyFile = args.publicKeyFile ?? `${args.privateKeyFile}.pub`;
    const privateKeyFile = args.privateKeyFile ?? publicKeyFile.replace(/\.pub$/, "");
    if (privateKeyFile === publicKeyFile) throw new CliUsageError("--public-key-file must end in .pub");
    keys = { privateKeyFile, publicKeyFile };
  }
  return {
    ...(machine ? { machine } : {}),
    ...(ip !== undefined ? { ip } : {}),
    ...(args.port !== undefined ? { port: String(parsePort("--port", args.port)) } : {}),
    preferPrivateIp: args.preferPrivateIp === true,
    ...(keys ? { keys } : {}),
    ...(jump !== undefined ? { jump } : {}),
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
