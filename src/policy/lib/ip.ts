/**
 * A strict IP and CIDR parser, written by hand so that nothing lenient slips through: no octal or
 * hex IPv4 parts (`0x7f.1`, `010.0.0.1`), no short forms (`1.2.3`), no whitespace, no zone ids, no
 * prefix beyond the family's width, no host bits below the prefix. `node:net` is only used in the
 * tests, as a second opinion.
 *
 * IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is IPv4: an address in that form is matched against IPv4
 * ranges, and a range written inside `::ffff:0:0/96` becomes the IPv4 range it denotes. Any other
 * IPv6 range matches native IPv6 addresses only, so `::/0` does not cover IPv4 clients; write
 * `0.0.0.0/0` as well for "everywhere".
 */
import type { IpRange } from "../types.ts";

export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

const V4_PART = /^(?:0|[1-9][0-9]{0,2})$/;
const V6_GROUP = /^[0-9a-fA-F]{1,4}$/;
const V6_CHARS = /^[0-9a-fA-F:.]+$/;
const PREFIX = /^(?:0|[1-9][0-9]{0,2})$/;

function parseV4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!V4_PART.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseGroups(text: string): number[] | undefined {
  if (text === "") return [];
  const groups: number[] = [];
  for (const g of text.split(":")) {
    if (!V6_GROUP.test(g)) return undefined;
    groups.push(Number.parseInt(g, 16));
  }
  return groups;
}

function parseV6(text: string): bigint | undefined {
  if (!V6_CHARS.test(text)) return undefined;
  let body = text;
  let tail: number[] = [];
  if (text.includes(".")) {
    // A dotted IPv4 may only be the last 32 bits.
    const cut = text.lastIndexOf(":");
    const v4 = parseV4(text.slice(cut + 1));
    if (cut < 0 || v4 === undefined) return undefined;
    tail = [Number(v4 >> 16n), Number(v4 & 0xffffn)];
    body = text.slice(0, cut + 1);
    // "::1.2.3.4" leaves "::", "1::2:1.2.3.4" leaves "1::2:"; a lone trailing ":" must go.
    if (body.endsWith(":") && !body.endsWith("::")) body = body.slice(0, -1);
  }
  const halves = body.split("::");
  let groups: number[];
  if (halves.length === 1) {
    const all = parseGroups(halves[0] ?? "");
    if (all === undefined) return undefined;
    groups = [...all, ...tail];
    if (groups.length !== 8) return undefined;
  } else if (halves.length === 2) {
    const head = parseGroups(halves[0] ?? "");
    const rest = parseGroups(halves[1] ?? "");
    if (head === undefined || rest === undefined) return undefined;
    const known = head.length + rest.length + tail.length;
    if (known > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
  } else {
    return undefined;
  }
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return value;
}

function parseRaw(text: string): IpAddress | undefined {
  if (text.length === 0 || text.length > 45) return undefined;
  if (text.includes(":")) {
    const value = parseV6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseV4(text);
  return value === undefined ? undefined : { family: 4, value };
}

function isMapped(value: bigint): boolean {
  return value >> 32n === 0xffffn;
}

/** Parses one address; IPv4-mapped IPv6 comes back as IPv4. `undefined` when not strictly valid. */
export function parseIp(text: string): IpAddress | undefined {
  const raw = parseRaw(text);
  if (raw?.family === 6 && isMapped(raw.value)) return { family: 4, value: raw.value & 0xffffffffn };
  return raw;
}

/** Why a CIDR string was refused; the caller wraps it in its own error. */
export type CidrProblem = "syntax" | "address" | "prefix" | "hostBits";

export function parseCidr(text: string): IpRange | CidrProblem {
  const slash = text.indexOf("/");
  if (slash < 0 || slash !== text.lastIndexOf("/")) return "syntax";
  const addr = parseRaw(text.slice(0, slash));
  if (addr === undefined) return "address";
  const prefixText = text.slice(slash + 1);
  if (!PREFIX.test(prefixText)) return "prefix";
  const prefix = Number(prefixText);
  const width = addr.family === 4 ? 32 : 128;
  if (prefix > width) return "prefix";
  const hostBits = BigInt(width - prefix);
  if ((addr.value & ((1n << hostBits) - 1n)) !== 0n) return "hostBits";
  if (addr.family === 6 && prefix >= 96 && isMapped(addr.value)) {
    return { family: 4, network: addr.value & 0xffffffffn, prefix: prefix - 96 };
  }
  return { family: addr.family, network: addr.value, prefix };
}

export function rangeContains(range: IpRange, ip: IpAddress): boolean {
  if (range.family !== ip.family) return false;
  const shift = BigInt((ip.family === 4 ? 32 : 128) - range.prefix);
  return ip.value >> shift === range.network >> shift;
}

/** RFC 5952 text: lowercase, the longest run of two or more zero groups shortened to `::`. */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join(".");
  }
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => Number((ip.value >> s) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

export function formatCidr(range: IpRange): string {
  return `${formatIp({ family: range.family, value: range.network })}/${range.prefix}`;
}
