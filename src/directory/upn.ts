/**
 * User principal names. A UPN is compared case-insensitively after Unicode NFC, like Entra ID:
 * `Alice@Contoso.com` and `alice@contoso.com` (or an NFD spelling of `josé@…`) are one user.
 */
import { InvalidUpnError } from "./errors.ts";

/** Entra ID's limit: 64 for the local part, 113 in all. */
export const UPN_MAX_LENGTH = 113;
const LOCAL_MAX_LENGTH = 64;

// Any character except controls (C0, DEL, C1), whitespace, separators, quotes and the
// characters that mean something to shells, LDAP, sudoers or sshd.
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Z}\s"'`\\/,:;<>()[\]{}|*?$%&=+]/u;
const DOMAIN =
  /^(?=.{1,253}$)[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)+$/u;

export interface NormalizedUpn {
  /** NFC, case as entered: what is shown. */
  readonly upn: string;
  /** NFC and lower case: what is compared and indexed. */
  readonly key: string;
}

/** The comparison key of a UPN. Lower-casing can denormalise, so NFC is applied on both sides. */
export function upnKey(upn: string): string {
  return upn.normalize("NFC").toLowerCase().normalize("NFC");
}

export function normalizeUpn(input: string): NormalizedUpn {
  if (typeof input !== "string") throw new InvalidUpnError("UPN must be a string");
  const upn = input.normalize("NFC");
  if (upn.length === 0 || upn.length > UPN_MAX_LENGTH) {
    throw new InvalidUpnError(`UPN must be 1 to ${UPN_MAX_LENGTH} characters`);
  }
  if (FORBIDDEN.test(upn)) {
    throw new InvalidUpnError(
      "UPN contains a character that is not allowed (space, control, quote or separator)",
    );
  }
  const at = upn.indexOf("@");
  if (at <= 0 || at !== upn.lastIndexOf("@")) throw new InvalidUpnError("UPN must have the form name@domain");
  const local = upn.slice(0, at);
  const domain = upn.slice(at + 1);
  if (local.length > LOCAL_MAX_LENGTH)
    throw new InvalidUpnError(`UPN name part is longer than ${LOCAL_MAX_LENGTH}`);
  if (local.startsWith(".") || local.endsWith(".") || local.includes("..")) {
    throw new InvalidUpnError("UPN name part may not start or end with '.' or contain '..'");
  }
  if (!DOMAIN.test(domain)) throw new InvalidUpnError("UPN domain is not a valid domain name");
  return { upn, key: upnKey(upn) };
}
