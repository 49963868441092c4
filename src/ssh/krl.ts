/**
 * Key revocation lists in OpenSSH's binary format (PROTOCOL.krl), read by `ssh-keygen -Q` and by
 * sshd's `RevokedKeys`. sshd refuses every key when the file does not parse, so the writer
 * refuses anything OpenSSH would reject (serial 0, reversed ranges) instead of emitting it.
 */
import type { Certificate } from "./certificate.ts";
import { SshFormatError, SshKrlError } from "./errors.ts";
import { type PublicKey, parsePublicKeyBlob, sha256 } from "./keys.ts";
import { SshReader, SshWriter } from "./lib/wire.ts";

const MAGIC = 0x5353484b524c0a00n; // "SSHKRL\n\0"
const FORMAT_VERSION = 1;
const SECTION = {
  certificates: 1,
  explicitKey: 2,
  sha1: 3,
  signature: 4,
  sha256: 5,
  extension: 255,
} as const;
/** 2^20 serials in one bitmap; larger ones are refused rather than expanded. */
const MAX_BITMAP_BYTES = 1 << 17;
const CERT_SECTION = {
  serialList: 0x20,
  serialRange: 0x21,
  serialBitmap: 0x22,
  keyId: 0x23,
  extension: 0x39,
} as const;

export interface SerialRange {
  readonly from: bigint;
  readonly to: bigint;
}

/** Certificates revoked for one CA (or, with `caKey: null`, for any CA). */
export interface KrlCertificateSection {
  readonly caKey: PublicKey | null;
  readonly serials: readonly bigint[];
  readonly serialRanges: readonly SerialRange[];
  readonly keyIds: readonly string[];
}

export interface Krl {
  /** Monotonic; agents keep the newest. */
  readonly version: bigint;
  /** Seconds since the epoch. */
  readonly generatedAt: bigint;
  readonly comment: string;
  readonly certificates: readonly KrlCertificateSection[];
  /** Plain keys revoked outright (their certificates are revoked with them). */
  readonly keys: readonly PublicKey[];
  /** SHA256 digests of revoked key blobs. */
  readonly sha256: readonly Uint8Array[];
}

export type KrlInput = Partial<Omit<Krl, "certificates" | "version">> & {
  readonly version: bigint;
  readonly certificates?: readonly Partial<KrlCertificateSection>[];
};

export function encodeKrl(input: KrlInput): Uint8Array {
  const w = new SshWriter()
    .uint64(MAGIC)
    .uint32(FORMAT_VERSION)
    .uint64(input.version)
    .uint64(input.generatedAt ?? BigInt(Math.floor(Date.now() / 1000)))
    .uint64(0n)
    .string(new Uint8Array(0))
    .text(input.comment ?? "");
  for (const section of input.certificates ?? []) {
    w.byte(SECTION.certificates).string(encodeCertificateSection(section));
  }
  if (input.keys?.length) {
    const blobs = sortedUnique(input.keys.map((k) => k.blob));
    w.byte(SECTION.explicitKey).string(listOfStrings(blobs));
  }
  if (input.sha256?.length) {
    for (const h of input.sha256)
      if (h.length !== 32) throw new SshKrlError("a SHA256 digest must be 32 bytes");
    w.byte(SECTION.sha256).string(listOfStrings(sortedUnique(input.sha256)));
  }
  return w.bytes();
}

function encodeCertificateSection(section: Partial<KrlCertificateSection>): Uint8Array {
  const w = new SshWriter().string(section.caKey?.blob ?? new Uint8Array(0)).string(new Uint8Array(0));
  const serials = [...new Set(section.serials ?? [])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const s of serials) checkSerial(s);
  if (serials.length) {
    const list = new SshWriter();
    for (const s of serials) list.uint64(s);
    w.byte(CERT_SECTION.serialList).string(list.bytes());
  }
  for (const range of section.serialRanges ?? []) {
    checkSerial(range.from);
    checkSerial(range.to);
    if (range.from > range.to) throw new SshKrlError(`serial range ${range.from}-${range.to} is reversed`);
    w.byte(CERT_SECTION.serialRange).string(new SshWriter().uint64(range.from).uint64(range.to).bytes());
  }
  const keyIds = [...new Set(section.keyIds ?? [])].sort();
  if (keyIds.length) {
    const list = new SshWriter();
    for (const id of keyIds) {
      if (id.includes("\0")) throw new SshKrlError("a key id contains NUL");
      list.text(id);
    }
    w.byte(CERT_SECTION.keyId).string(list.bytes());
  }
  return w.bytes();
}

function checkSerial(s: bigint): void {
  if (s <= 0n || s > 0xffff_ffff_ffff_ffffn)
    throw new SshKrlError(`serial ${s} cannot be revoked (1..2^64-1)`);
}

function listOfStrings(items: readonly Uint8Array[]): Uint8Array {
  const w = new SshWriter();
  for (const item of items) w.string(item);
  return w.bytes();
}

function sortedUnique(items: readonly Uint8Array[]): Uint8Array[] {
  const sorted = [...items].sort(Buffer.compare);
  return sorted.filter((item, i) => i === 0 || Buffer.compare(item, sorted[i - 1] as Uint8Array) !== 0);
}

/** Reads a KRL written by us or by `ssh-keygen -k`. Signature sections are refused, as OpenSSH 9.4+ does. */
export function parseKrl(bytes: Uint8Array): Krl {
  const r = new SshReader(bytes);
  if (r.uint64("magic") !== MAGIC) throw new SshFormatError("not a KRL (bad magic)");
  const format = r.uint32("format version");
  if (format !== FORMAT_VERSION) throw new SshKrlError(`unsupported KRL format version ${format}`);
  const version = r.uint64("krl version");
  const generatedAt = r.uint64("generated date");
  r.uint64("flags");
  r.string("reserved");
  const comment = r.text("comment");
  const certificates: KrlCertificateSection[] = [];
  const keys: PublicKey[] = [];
  const digests: Uint8Array[] = [];
  while (r.remaining > 0) {
    const type = r.byte("section type");
    const data = new SshReader(r.string("section"));
    if (type === SECTION.certificates) certificates.push(parseCertificateSection(data));
    else if (type === SECTION.explicitKey)
      while (data.remaining) keys.push(parsePublicKeyBlob(data.string("key")));
    else if (type === SECTION.sha256 || type === SECTION.sha1) {
      const size = type === SECTION.sha256 ? 32 : 20;
      while (data.remaining) {
        const digest = data.string("digest");
        if (digest.length !== size) throw new SshKrlError("fingerprint has the wrong length");
        if (type === SECTION.sha256) digests.push(digest);
      }
    } else if (type === SECTION.extension) skipExtension(data);
    else throw new SshKrlError(`unsupported KRL section ${type}`);
  }
  return { version, generatedAt, comment, certificates, keys, sha256: digests };
}

function parseCertificateSection(r: SshReader): KrlCertificateSection {
  const caBlob = r.string("ca key");
  const caKey = caBlob.length === 0 ? null : parsePublicKeyBlob(caBlob);
  r.string("reserved");
  const serials: bigint[] = [];
  const serialRanges: SerialRange[] = [];
  const keyIds: string[] = [];
  while (r.remaining > 0) {
    const type = r.byte("certificate section type");
    const data = new SshReader(r.string("certificate section"));
    if (type === CERT_SECTION.serialList) while (data.remaining) serials.push(data.uint64());
    else if (type === CERT_SECTION.serialRange) serialRanges.push({ from: data.uint64(), to: data.uint64() });
    else if (type === CERT_SECTION.serialBitmap) {
      const offset = data.uint64("bitmap offset");
      const bitmap = data.mpintBytes("bitmap");
      if (bitmap.length > MAX_BITMAP_BYTES) throw new SshKrlError("serial bitmap is too large");
      for (let i = 0; i < bitmap.length * 8; i++) {
        const byte = bitmap[bitmap.length - 1 - (i >> 3)] as number;
        if (byte & (1 << (i & 7))) serials.push(offset + BigInt(i));
      }
    } else if (type === CERT_SECTION.keyId) while (data.remaining) keyIds.push(data.text("key id"));
    else if (type === CERT_SECTION.extension) skipExtension(data);
    else throw new SshKrlError(`unsupported KRL certificate section ${type}`);
    data.end("certificate section");
  }
  for (const s of serials) checkSerial(s);
  for (const range of serialRanges)
    if (range.from > range.to || range.from === 0n) throw new SshKrlError("bad serial range");
  return { caKey, serials, serialRanges, keyIds };
}

function skipExtension(r: SshReader): void {
  const name = r.text("extension name");
  const critical = r.byte("extension critical flag");
  r.string("extension data");
  if (critical)
    throw new SshKrlError(`unsupported critical KRL extension ${JSON.stringify(name.slice(0, 64))}`);
}

/**
 * Whether `subject` is revoked by `krl`, by the same rules sshd applies: a certificate is revoked
 * by its serial or key id under its CA (or any CA), by its own key, or when its CA key is revoked.
 */
export function isRevoked(krl: Krl, subject: Certificate | PublicKey): boolean {
  const keyRevoked = (key: PublicKey) =>
    krl.keys.some((k) => Buffer.compare(k.blob, key.blob) === 0) ||
    (krl.sha256.length > 0 && krl.sha256.some((d) => Buffer.compare(d, sha256(key.blob)) === 0));
  if (!("caKey" in subject)) return keyRevoked(subject);
  const cert = subject;
  if (keyRevoked(cert.key) || keyRevoked(cert.caKey)) return true;
  return krl.certificates.some(
    (s) =>
      (s.caKey === null || Buffer.compare(s.caKey.blob, cert.caKey.blob) === 0) &&
      (s.serials.includes(cert.serial) ||
        s.serialRanges.some((range) => range.from <= cert.serial && cert.serial <= range.to) ||
        s.keyIds.includes(cert.keyId)),
  );
}
