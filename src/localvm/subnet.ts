/**
 * IPv4 arithmetic for local networks: the /24 subnets of the private range local machines use, and
 * the check that a candidate does not overlap anything the host already has (addresses or routes,
 * including other helpers' and other test runs' networks). Pure; `network.ts` does the I/O.
 */

/** Local networks are /24s inside this range (RFC 1918), one per network; machines get .1 to .254. */
export const LOCAL_RANGE = Object.freeze({ base: "10.213.0.0", prefixLength: 16 });
export const SUBNET_PREFIX_LENGTH = 24;
/**
 * The host's one address for every local network (on a dummy link, network.ts): the last /24 of the
 * range is kept for it and never given to a network.
 */
export const GATEWAY_ADDRESS = "10.213.255.1";

export interface Ipv4Prefix {
  /** The network address as an unsigned 32-bit number. */
  readonly start: number;
  readonly prefixLength: number;
}

const DOTTED_QUAD = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Dotted-quad text to a number, or undefined for anything else (no leading zeros, no short forms). */
export function parseIpv4(text: string): number | undefined {
  if (!DOTTED_QUAD.test(text)) return undefined;
  return text.split(".").reduce((value, part) => value * 256 + Number(part), 0);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** `a.b.c.d/n` or a bare address (a /32) to a prefix with its host bits cleared. */
export function parseIpv4Prefix(text: string): Ipv4Prefix | undefined {
  const [address, length, extra] = text.split("/");
  if (extra !== undefined || address === undefined) return undefined;
  const value = parseIpv4(address);
  const prefixLength = length === undefined ? 32 : /^(3[0-2]|[12]?\d)$/.test(length) ? Number(length) : -1;
  if (value === undefined || prefixLength < 0) return undefined;
  const size = 2 ** (32 - prefixLength);
  return { start: value - (value % size), prefixLength };
}

export function prefixesOverlap(a: Ipv4Prefix, b: Ipv4Prefix): boolean {
  const aEnd = a.start + 2 ** (32 - a.prefixLength);
  const bEnd = b.start + 2 ** (32 - b.prefixLength);
  return a.start < bEnd && b.start < aEnd;
}

/** All /24 subnets of the local range, in order, but the gateway's. */
export function candidateSubnets(): Ipv4Prefix[] {
  const range = parseIpv4Prefix(`${LOCAL_RANGE.base}/${LOCAL_RANGE.prefixLength}`);
  if (!range) throw new TypeError("LOCAL_RANGE is not a prefix");
  const count = 2 ** (SUBNET_PREFIX_LENGTH - range.prefixLength) - 1;
  return Array.from({ length: count }, (_, i) => ({
    start: range.start + i * 2 ** (32 - SUBNET_PREFIX_LENGTH),
    prefixLength: SUBNET_PREFIX_LENGTH,
  }));
}

/**
 * The first candidate (the preferred one if given and free) that overlaps nothing in use. A default
 * route (0.0.0.0/0) is not "in use" space: it is where traffic goes when nothing else matches.
 */
export function pickFreeSubnet(used: readonly Ipv4Prefix[], preferred?: Ipv4Prefix): Ipv4Prefix | undefined {
  const taken = used.filter((prefix) => prefix.prefixLength > 0);
  const isFree = (candidate: Ipv4Prefix) => !taken.some((prefix) => prefixesOverlap(prefix, candidate));
  if (preferred && isFree(preferred)) return preferred;
  return candidateSubnets().find(isFree);
}

/** Host addresses of a /24 for machines: .1 to .254 (the host is at the gateway address, outside it). */
export function machineAddresses(subnet: Ipv4Prefix): string[] {
  return Array.from({ length: 254 }, (_, i) => formatIpv4(subnet.start + 1 + i));
}

export function formatPrefix(prefix: Ipv4Prefix): string {
  return `${formatIpv4(prefix.start)}/${prefix.prefixLength}`;
}
