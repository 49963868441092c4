/** Named locations: lists of IPv4 / IPv6 CIDR ranges that policies include or exclude by id. */
import { InvalidPolicyError } from "./errors.ts";
import { readBoolean, readId, readList, readObject, readText } from "./lib/checks.ts";
import { type CidrProblem, formatCidr, type IpAddress, parseCidr, rangeContains } from "./lib/ip.ts";
import type { IpRange, NamedLocation } from "./types.ts";

export const MAX_RANGES_PER_LOCATION = 2000;

const PROBLEMS: Readonly<Record<CidrProblem, string>> = {
  syntax: "must be an address, '/', and a prefix length (for example 10.0.0.0/8 or 2001:db8::/32)",
  address:
    "is not a valid IPv4 or IPv6 address (no leading zeros, hex or short IPv4 forms, whitespace or zones)",
  prefix: "has a prefix length out of range (0-32 for IPv4, 0-128 for IPv6, decimal without leading zeros)",
  hostBits: "has bits set below the prefix length; write the network address",
};

/** Parses one CIDR string or throws `InvalidPolicyError` at `path`. */
export function readCidr(value: unknown, path: string): IpRange {
  if (typeof value !== "string") throw new InvalidPolicyError(path, "must be a CIDR string");
  const r = parseCidr(value);
  if (typeof r === "string") throw new InvalidPolicyError(path, `'${value.slice(0, 64)}' ${PROBLEMS[r]}`);
  return Object.freeze(r);
}

/** Validates `{ id, name, trusted?, cidrs }` into a `NamedLocation` with its ranges parsed once. */
export function validateNamedLocation(doc: unknown): NamedLocation {
  const o = readObject(doc, "", ["id", "name", "trusted", "cidrs"]);
  const id = readId(o.id, "id");
  const name = readText(o.name, "name", 256);
  const trusted = o.trusted === undefined ? false : readBoolean(o.trusted, "trusted");
  const ranges = readList(o.cidrs, "cidrs", readCidr, { nonEmpty: true, max: MAX_RANGES_PER_LOCATION });
  return Object.freeze({ id, name, trusted, cidrs: Object.freeze(ranges.map(formatCidr)), ranges });
}

/** The ids of the named locations that contain `ip`, plus whether any of them is trusted. */
export function locateIp(
  locations: readonly NamedLocation[],
  ip: IpAddress,
): { readonly ids: ReadonlySet<string>; readonly trusted: boolean } {
  const ids = new Set<string>();
  let trusted = false;
  for (const loc of locations) {
    if (loc.ranges.some((r) => rangeContains(r, ip))) {
      ids.add(loc.id);
      trusted ||= loc.trusted;
    }
  }
  return { ids, trusted };
}
