import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { LocalVmNoAddressError, LocalVmNoSubnetError, LocalVmSpecError } from "./errors.ts";
import { ensureLocalVmSupported } from "./host-support.ts";
import { withFileLock } from "./lib/file-lock.ts";
import { runChecked, runCommand } from "./lib/run-command.ts";
import {
  formatPrefix,
  GATEWAY_ADDRESS,
  type Ipv4Prefix,
  machineAddresses,
  parseIpv4Prefix,
  pickFreeSubnet,
  SUBNET_PREFIX_LENGTH,
} from "./subnet.ts";

/**
 * Every process that makes local networks (the service's local provider, every test run of every
 * helper) allocates subnets under this one lock, and checks the host's addresses and routes inside
 * it, so two concurrent runs never pick the same subnet.
 */
export const SUBNET_LOCK_PATH = "/run/hostpass-localvm.lock";
/** The link holding the gateway address (made once, kept: see `ensureGateway`). */
export const GATEWAY_LINK = "hostpass-gw";
const BRIDGE_NAME = /^hpb-[0-9a-f]{8}$/;

/** What identifies a network on disk and across restarts. */
export interface LocalNetworkRecord {
  /** The host's bridge (`hpb-` + 8 hex: under the 15-character limit, unique per network). */
  readonly name: string;
  /** `10.213.N.0/24` */
  readonly subnet: string;
}

/**
 * A private network of this host: a Linux bridge without an address, machines' veth links on it,
 * and a host route to its subnet from the gateway address. Machines on it reach each other and the
 * gateway, nothing else: the bridge does not forward IP to other interfaces (`forwarding=0`), IPv6
 * is off, and machines get no default route.
 */
export class LocalNetwork implements LocalNetworkRecord {
  readonly name: string;
  readonly subnet: string;
  /** The host's address as machines see it (every network's: `GATEWAY_ADDRESS`). */
  readonly gateway = GATEWAY_ADDRESS;
  readonly prefixLength = SUBNET_PREFIX_LENGTH;
  readonly #free: string[];
  readonly #taken = new Set<string>();

  constructor(record: LocalNetworkRecord) {
    const prefix = parseIpv4Prefix(record.subnet);
    if (!BRIDGE_NAME.test(record.name) || !prefix || prefix.prefixLength !== SUBNET_PREFIX_LENGTH) {
      throw new LocalVmSpecError(`not a local network: ${JSON.stringify(record)}`);
    }
    this.name = record.name;
    this.subnet = formatPrefix(prefix);
    this.#free = machineAddresses(prefix);
  }

  /** Reserves an address for a machine: the preferred one (a restarted machine keeps its own) or the next free. */
  claimAddress(preferred?: string): string {
    if (preferred !== undefined) {
      if (!this.#free.includes(preferred))
        throw new LocalVmSpecError(`${preferred} is not a machine address of ${this.subnet}`);
      if (this.#taken.has(preferred))
        throw new LocalVmSpecError(`${preferred} is already taken on ${this.subnet}`);
      this.#taken.add(preferred);
      return preferred;
    }
    const address = this.#free.find((candidate) => !this.#taken.has(candidate));
    if (!address) throw new LocalVmNoAddressError(`no free address left on ${this.subnet}`);
    this.#taken.add(address);
    return address;
  }

  releaseAddress(address: string): void {
    this.#taken.delete(address);
  }

  toJSON(): LocalNetworkRecord {
    return { name: this.name, subnet: this.subnet };
  }
}

export interface CreateNetworkOptions {
  /** Re-create or re-use this network (after a reboot or a service restart): same bridge name, and its subnet if still free. */
  readonly record?: LocalNetworkRecord;
}

/** Makes (or finds again) a local network; safe against concurrent callers in other processes. */
export async function createNetwork(options: CreateNetworkOptions = {}): Promise<LocalNetwork> {
  await ensureLocalVmSupported();
  const name = options.record?.name ?? `hpb-${randomBytes(4).toString("hex")}`;
  if (!BRIDGE_NAME.test(name)) throw new LocalVmSpecError(`not a local network name: ${name}`);
  const preferred = options.record ? parseIpv4Prefix(options.record.subnet) : undefined;
  return withFileLock(SUBNET_LOCK_PATH, async () => {
    await ensureGatewayLocked();
    if (preferred && (await routesTo(name)).includes(formatPrefix(preferred))) {
      return new LocalNetwork({ name, subnet: formatPrefix(preferred) });
    }
    await deleteLink(name); // ours (random name) but not in the state we want: start it afresh
    const subnet = pickFreeSubnet(await prefixesInUse(), preferred);
    if (!subnet) throw new LocalVmNoSubnetError("every local subnet (10.213.0.0/16) is in use on this host");
    await makeBridge(name, subnet);
    return new LocalNetwork({ name, subnet: formatPrefix(subnet) });
  });
}

/** Removes the bridge (and its route); machines on it must be destroyed first (their links would only be detached). */
export async function destroyNetwork(network: LocalNetworkRecord): Promise<void> {
  if (!BRIDGE_NAME.test(network.name))
    throw new LocalVmSpecError(`not a local network name: ${network.name}`);
  await deleteLink(network.name);
}

/**
 * The gateway: a link `hostpass-gw` (a bridge without ports) with 10.213.255.1/32, the host's one address for every
 * local network (each reaches it through a host route with that source). It is made once and kept
 * (like docker0), because adding or removing an address on the host makes every running Chromium
 * abort its requests with ERR_NETWORK_CHANGED; networks themselves add only links and routes,
 * which Chromium does not count as a change. `scripts/setup.sh` makes it before the tests run.
 */
export async function ensureGateway(): Promise<void> {
  await ensureLocalVmSupported();
  await withFileLock(SUBNET_LOCK_PATH, ensureGatewayLocked);
}

async function ensureGatewayLocked(): Promise<void> {
  const shown = await runCommand("/usr/sbin/ip", ["-j", "-4", "addr", "show", "dev", GATEWAY_LINK]);
  const links = shown.code === 0 ? (JSON.parse(shown.stdout) as { addr_info?: { local?: string }[] }[]) : [];
  if (links.some((link) => link.addr_info?.some((info) => info.local === GATEWAY_ADDRESS))) return;
  await deleteLink(GATEWAY_LINK);
  // A bridge with no ports: every kernel with local networks has bridges (not every one has dummy links).
  await runChecked("/usr/sbin/ip", ["link", "add", GATEWAY_LINK, "type", "bridge"]);
  try {
    await writeFile(`/proc/sys/net/ipv6/conf/${GATEWAY_LINK}/disable_ipv6`, "1");
    await writeFile(`/proc/sys/net/ipv4/conf/${GATEWAY_LINK}/forwarding`, "0");
    await runChecked("/usr/sbin/ip", ["-batch", "-"], {
      input: `addr add ${GATEWAY_ADDRESS}/32 dev ${GATEWAY_LINK}\nlink set dev ${GATEWAY_LINK} up\n`,
    });
  } catch (error) {
    await deleteLink(GATEWAY_LINK);
    throw error;
  }
}

export async function linkExists(name: string): Promise<boolean> {
  return (await runCommand("/usr/sbin/ip", ["-j", "link", "show", "dev", name])).code === 0;
}

export async function deleteLink(name: string): Promise<void> {
  if (!(await linkExists(name))) return;
  const result = await runCommand("/usr/sbin/ip", ["link", "del", "dev", name]);
  if (result.code !== 0 && (await linkExists(name))) {
    throw new Error(`could not delete ${name}: ${result.stderr.trim()}`);
  }
}

async function makeBridge(name: string, subnet: Ipv4Prefix): Promise<void> {
  await runChecked("/usr/sbin/ip", ["link", "add", "name", name, "type", "bridge"]);
  try {
    // Before the link is up: no IPv6 (no link-local address, no autoconfiguration) and no IP forwarding
    // of anything that arrives from machines, so the network stays a private island of this host.
    await writeFile(`/proc/sys/net/ipv6/conf/${name}/disable_ipv6`, "1");
    await writeFile(`/proc/sys/net/ipv4/conf/${name}/forwarding`, "0");
    await runChecked("/usr/sbin/ip", ["-batch", "-"], {
      input: `link set dev ${name} up\nroute add ${formatPrefix(subnet)} dev ${name} src ${GATEWAY_ADDRESS}\n`,
    });
  } catch (error) {
    await deleteLink(name);
    throw error;
  }
}

/** The destinations the host routes through a link (a network's bridge: its subnet). */
async function routesTo(name: string): Promise<string[]> {
  const result = await runCommand("/usr/sbin/ip", ["-j", "-4", "route", "show", "dev", name]);
  if (result.code !== 0) return [];
  return (JSON.parse(result.stdout) as { dst?: string }[]).map((route) => route.dst ?? "");
}

/** Every IPv4 prefix the host has as an address or a route, in any routing table. */
async function prefixesInUse(): Promise<Ipv4Prefix[]> {
  const [addresses, routes] = await Promise.all([
    runChecked("/usr/sbin/ip", ["-j", "-4", "addr", "show"]),
    runChecked("/usr/sbin/ip", ["-j", "-4", "route", "show", "table", "all"]),
  ]);
  const used: Ipv4Prefix[] = [];
  for (const link of JSON.parse(addresses) as { addr_info?: { local?: string; prefixlen?: number }[] }[]) {
    for (const info of link.addr_info ?? []) {
      const prefix = parseIpv4Prefix(`${info.local}/${info.prefixlen}`);
      if (prefix) used.push(prefix);
    }
  }
  for (const route of JSON.parse(routes) as { dst?: string }[]) {
    const prefix = route.dst && route.dst !== "default" ? parseIpv4Prefix(route.dst) : undefined;
    if (prefix) used.push(prefix);
  }
  return used;
}
