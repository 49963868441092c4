/**
 * The one-line text form shared by .pub files, authorized_keys, TrustedUserCAKeys and
 * certificate files: `type base64-blob [comment]`.
 */
import { type Certificate, isCertificateTypeName, parseCertificate } from "./certificate.ts";
import { SshFormatError } from "./errors.ts";
import { type PublicKey, parsePublicKeyBlob } from "./keys.ts";
import { decodeBase64Strict, SshReader } from "./lib/wire.ts";

/** Longer than any real key line (an RSA-16384 certificate with 256 principals fits). */
const MAX_LINE = 64 * 1024;

export interface KeyLine {
  readonly type: string;
  readonly blob: Uint8Array;
  readonly comment: string;
}

export function splitKeyLine(text: string): KeyLine {
  if (text.length > MAX_LINE) throw new SshFormatError("key line is too long");
  const line = text.replace(/\r?\n$/, "");
  if (/[\r\n\0]/.test(line)) throw new SshFormatError("key text must be a single line");
  const m = /^[ \t]*(\S+)[ \t]+(\S+)(?:[ \t]+(.*?))?[ \t]*$/.exec(line);
  if (!m) throw new SshFormatError("expected `type base64 [comment]`");
  const type = m[1] as string;
  const blob = decodeBase64Strict(m[2] as string, "key data");
  let embedded: string;
  try {
    embedded = new SshReader(blob).text("key type");
  } catch (cause) {
    throw new SshFormatError("key data does not start with a key type", { cause });
  }
  if (embedded !== type) {
    throw new SshFormatError(
      `line says ${JSON.stringify(type.slice(0, 64))} but the key data is ${embedded.slice(0, 64)}`,
    );
  }
  return { type, blob, comment: m[3] ?? "" };
}

export function parsePublicKey(text: string): PublicKey {
  return parsePublicKeyBlob(splitKeyLine(text).blob);
}

export function parseCertificateText(text: string): Certificate {
  return parseCertificate(splitKeyLine(text).blob);
}

/** A plain key or a certificate, whichever the line holds. */
export function parseKeyOrCertificate(text: string): { key: PublicKey } | { certificate: Certificate } {
  const { type, blob } = splitKeyLine(text);
  return isCertificateTypeName(type)
    ? { certificate: parseCertificate(blob) }
    : { key: parsePublicKeyBlob(blob) };
}
