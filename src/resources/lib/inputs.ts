/** Checks for the non-id fields of resources. */
import { isIP } from "node:net";
import { formatPublicKey, parsePublicKey } from "../../ssh/index.ts";
import { ImageNotLinuxError, InvalidResourceInputError } from "../errors.ts";
import type { NetworkInterface } from "../types.ts";

const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u;

export function checkLocation(value: unknown): string {
  const location = typeof value === "string" ? value.toLowerCase() : "";
  if (!/^[a-z0-9]{1,32}$/.test(location))
    throw new InvalidResourceInputError("location must be 1-32 letters or digits");
  return location;
}

export function checkText(value: unknown, what: string, max = 256): string {
  if (typeof value !== "string") throw new InvalidResourceInputError(`${what} must be a string`);
  const text = value.normalize("NFC").trim();
  if (text.length === 0 || text.length > max)
    throw new InvalidResourceInputError(`${what} must be 1 to ${max} characters`);
  if (UNPRINTABLE.test(text)) throw new InvalidResourceInputError(`${what} contains control characters`);
  return text;
}

/** Up to 50 tags like Azure; keys 1-128 and values 0-256 printable characters. */
export function checkTags(value: unknown): Readonly<Record<string, string>> {
  if (value === undefined) return Object.freeze({});
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidResourceInputError("tags must be an object of strings");
  }
  const entries = Object.entries(value);
  if (entries.length > 50) throw new InvalidResourceInputError("at most 50 tags");
  const tags: Record<string, string> = Object.create(null);
  for (const [k, v] of entries) {
    if (
      k === "__proto__" ||
      k.length === 0 ||
      k.length > 128 ||
      UNPRINTABLE.test(k) ||
      /[<>%&\\?/]/.test(k)
    ) {
      throw new InvalidResourceInputError("tag names must be 1-128 characters without < > % & \\ ? /");
    }
    if (typeof v !== "string" || v.length > 256 || UNPRINTABLE.test(v)) {
      throw new InvalidResourceInputError("tag values must be strings of at most 256 printable characters");
    }
    tags[k] = v;
  }
  return Object.freeze({ ...tags });
}

/**
 * `debian-12`, `Debian:debian-12:12-gen2:latest`: a short token, no spaces or shell characters;
 * one that names Windows (`win` anywhere, e.g. `windows-11`, `Win2022Datacenter`) is refused.
 */
export function checkImage(value: unknown): string {
  if (typeof value !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}$/.test(value)) {
    throw new InvalidResourceInputError("image must be 1-128 of letters, digits and . _ : + -");
  }
  if (/win/i.test(value)) {
    throw new ImageNotLinuxError(
      `image '${value}' is not a Linux image: hostpass machines are Linux hosts (e.g. debian-12, UbuntuLTS)`,
    );
  }
  return value;
}

const ADMIN_RESERVED = new Set([
  "root",
  "admin",
  "administrator",
  "daemon",
  "bin",
  "sys",
  "sshd",
  "nobody",
  "sudo",
]);

/** A local Linux account name (the break-glass admin), Debian's NAME_REGEX, at most 32. */
export function checkAdminUsername(value: unknown): string {
  if (typeof value !== "string" || !/^[a-z][a-z0-9_-]{0,31}$/.test(value)) {
    throw new InvalidResourceInputError(
      "admin user name must be 1-32 of a-z, 0-9, '_' and '-', starting with a letter",
    );
  }
  if (ADMIN_RESERVED.has(value))
    throw new InvalidResourceInputError(`admin user name '${value}' is reserved`);
  return value;
}

export function checkSize(value: unknown): string {
  if (value === undefined) return "Standard_B1s";
  if (typeof value !== "string" || !/^[A-Za-z0-9_]{1,64}$/.test(value)) {
    throw new InvalidResourceInputError("size must be 1-64 of letters, digits and '_'");
  }
  return value;
}

function checkIp(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || isIP(value) === 0 || value.includes("%")) {
    throw new InvalidResourceInputError(`${what} must be an IPv4 or IPv6 address`);
  }
  return value.toLowerCase();
}

export function checkNetworkInterfaces(value: unknown): readonly NetworkInterface[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > 8)
    throw new InvalidResourceInputError("at most 8 network interfaces");
  const names = new Set<string>();
  return value.map((nic: { name?: unknown; privateIp?: unknown; publicIp?: unknown }, i) => {
    const name = nic?.name === undefined ? `nic${i}` : nic.name;
    if (
      typeof name !== "string" ||
      !/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/.test(name) ||
      names.has(name.toLowerCase())
    ) {
      throw new InvalidResourceInputError(
        "network interface names must be unique, 1-80 of letters, digits and . _ -",
      );
    }
    names.add(name.toLowerCase());
    return {
      name,
      privateIp: checkIp(nic.privateIp, "private IP"),
      publicIp: checkIp(nic.publicIp, "public IP"),
    };
  });
}

export { checkIp };

/**
 * The admin account's public key: one OpenSSH public key line of a type hostpass accepts,
 * returned as `type base64` (the comment dropped: it is free text that would end up in a file).
 */
export function checkAdminSshPublicKey(value: unknown): string {
  if (typeof value !== "string" || value.length > 16_384 || /[\r\n]/.test(value.trim())) {
    throw new InvalidResourceInputError("adminSshPublicKey must be one OpenSSH public key line");
  }
  try {
    return formatPublicKey(parsePublicKey(value.trim()));
  } catch (cause) {
    throw new InvalidResourceInputError("adminSshPublicKey is not a usable OpenSSH public key", { cause });
  }
}
