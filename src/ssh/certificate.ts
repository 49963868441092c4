/**
 * OpenSSH certificates (`*-cert-v01@openssh.com`, draft-miller-ssh-cert): build and sign, parse
 * strictly and verify. Parsing always checks the CA signature, as sshd does.
 */
import { SshCertificateError, SshUnsupportedTypeError } from "./errors.ts";
import {
  buildPublicKey,
  formatLine,
  isKeyType,
  type KeyType,
  type PublicKey,
  parsePublicKeyBlob,
  readKeyFields,
} from "./keys.ts";
import { randomNonce } from "./lib/random-pool.ts";
import { SshReader, SshWriter } from "./lib/wire.ts";
import { type SignatureAlgorithm, type Signer, verifySignature } from "./signature.ts";

export const MAX_PRINCIPALS = 256;
/** `valid_before` of a certificate that never expires; hostpass never issues one. */
export const FOREVER = 0xffff_ffff_ffff_ffffn;

export type CertificateKind = "user" | "host";
export type CertificateType = `${KeyType}-cert-v01@openssh.com`;

/** Options and extensions: name -> value, where "" is a flag (empty data). */
export type OptionList = Readonly<Record<string, string>>;

export interface CertificateFields {
  readonly kind: CertificateKind;
  /** The subject key being certified. */
  readonly key: PublicKey;
  readonly serial: bigint;
  readonly keyId: string;
  readonly principals: readonly string[];
  /** Seconds since the epoch. */
  readonly validAfter: bigint;
  readonly validBefore: bigint;
  readonly criticalOptions: OptionList;
  readonly extensions: OptionList;
  /** Random when not given (32 bytes). */
  readonly nonce?: Uint8Array;
}

export interface Certificate extends CertificateFields {
  readonly type: CertificateType;
  readonly nonce: Uint8Array;
  readonly caKey: PublicKey;
  readonly signatureAlgorithm: SignatureAlgorithm;
  /** The whole wire encoding, signature included. */
  readonly blob: Uint8Array;
}

const KIND_CODE = { user: 1, host: 2 } as const;

export function certificateTypeOf(keyType: KeyType): CertificateType {
  return `${keyType}-cert-v01@openssh.com`;
}

function baseKeyType(certType: string): KeyType | null {
  const suffix = "-cert-v01@openssh.com";
  if (!certType.endsWith(suffix)) return null;
  const base = certType.slice(0, -suffix.length);
  return isKeyType(base) ? base : null;
}

/** Encodes and signs a certificate. Fields are checked so that we never emit one sshd rejects. */
export function signCertificate(fields: CertificateFields, signer: Signer): Certificate {
  checkFields(fields);
  const type = certificateTypeOf(fields.key.type);
  const nonce = fields.nonce ?? randomNonce();
  // The key's wire blob is `string type` then its fields; the type name is ASCII.
  const keyFields = fields.key.blob.subarray(4 + fields.key.type.length);
  let criticalOptions: OptionList = {};
  let extensions: OptionList = {};
  const w = new SshWriter(1024)
    .text(type)
    .string(nonce)
    .raw(keyFields)
    .uint64(fields.serial)
    .uint32(KIND_CODE[fields.kind])
    .text(fields.keyId)
    .nested((list) => {
      for (const p of fields.principals) list.text(p);
    })
    .uint64(fields.validAfter)
    .uint64(fields.validBefore)
    .nested((o) => {
      criticalOptions = writeOptions(o, fields.criticalOptions);
    })
    .nested((o) => {
      extensions = writeOptions(o, fields.extensions);
    })
    .string(new Uint8Array(0))
    .string(signer.publicKey.blob);
  const signature = signer.sign(w.bytes());
  const blob = w.string(signature).bytes();
  return {
    ...fields,
    type,
    nonce,
    principals: [...fields.principals],
    criticalOptions,
    extensions,
    caKey: signer.publicKey,
    signatureAlgorithm: signer.algorithm,
    blob,
  };
}

function checkFields(f: CertificateFields): void {
  if (f.principals.length > MAX_PRINCIPALS)
    throw new SshCertificateError(`more than ${MAX_PRINCIPALS} principals`);
  for (const p of f.principals) {
    if (p === "" || p.includes("\0")) throw new SshCertificateError("a principal is empty or contains NUL");
  }
  if (f.keyId.includes("\0")) throw new SshCertificateError("key id contains NUL");
  if (f.validAfter < 0n || f.validBefore > FOREVER || f.validAfter >= f.validBefore) {
    throw new SshCertificateError("validity must satisfy 0 <= valid_after < valid_before < 2^64");
  }
  if (f.serial < 0n || f.serial > FOREVER) throw new SshCertificateError("serial must be a uint64");
  for (const name of [...Object.keys(f.criticalOptions), ...Object.keys(f.extensions)]) {
    if (name === "" || name.includes("\0"))
      throw new SshCertificateError("option name is empty or contains NUL");
  }
}

/**
 * Writes options with names sorted and unique; a value is wrapped in a nested string, a flag has
 * empty data. Returns a frozen, null-prototype copy of what was written.
 */
function writeOptions(w: SshWriter, options: OptionList): OptionList {
  const names = Object.keys(options);
  if (names.length > 1) names.sort(compareBytes);
  const copy = Object.create(null) as Record<string, string>;
  for (const name of names) {
    const value = options[name] as string;
    copy[name] = value;
    w.text(name);
    if (value === "") w.uint32(0);
    else w.nested((inner) => inner.text(value));
  }
  return Object.freeze(copy);
}

/** OpenSSH sorts option names with strcmp, i.e. by bytes, not by UTF-16 code units. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function readOptions(r: SshReader, what: string): OptionList {
  const out = Object.create(null) as Record<string, string>;
  let previous: string | null = null;
  while (r.remaining > 0) {
    const name = r.text(`${what} name`);
    if (previous !== null && compareBytes(previous, name) >= 0) {
      throw new SshCertificateError(
        `${what} are not sorted and unique (${JSON.stringify(name.slice(0, 64))})`,
      );
    }
    previous = name;
    const data = r.string(`${what} data`);
    if (data.length === 0) {
      out[name] = "";
      continue;
    }
    const inner = new SshReader(data);
    out[name] = inner.text(`${what} value`);
    inner.end(`${what} value`);
  }
  return Object.freeze(out);
}

/** Parses a certificate blob, checks every structural rule, and verifies the CA signature. */
export function parseCertificate(blob: Uint8Array): Certificate {
  const r = new SshReader(blob);
  const typeName = r.text("certificate type");
  const keyType = baseKeyType(typeName);
  if (keyType === null) {
    if (isKeyType(typeName)) throw new SshCertificateError(`${typeName} is a plain key, not a certificate`);
    throw new SshUnsupportedTypeError(
      `unsupported certificate type ${JSON.stringify(typeName.slice(0, 64))}`,
    );
  }
  const nonce = r.string("nonce");
  const { jwk } = readKeyFields(r, keyType);
  const serial = r.uint64("serial");
  const kindCode = r.uint32("certificate kind");
  const kind = kindCode === 1 ? "user" : kindCode === 2 ? "host" : null;
  if (kind === null)
    throw new SshCertificateError(`certificate kind ${kindCode} is neither user (1) nor host (2)`);
  const keyId = r.text("key id");
  const principals = r.nested("principals", (pr) => {
    const list: string[] = [];
    while (pr.remaining > 0) {
      if (list.length === MAX_PRINCIPALS)
        throw new SshCertificateError(`more than ${MAX_PRINCIPALS} principals`);
      list.push(pr.text("principal"));
    }
    return list;
  });
  const validAfter = r.uint64("valid after");
  const validBefore = r.uint64("valid before");
  const criticalOptions = r.nested("critical options", (or) => readOptions(or, "critical options"));
  const extensions = r.nested("extensions", (er) => readOptions(er, "extensions"));
  r.string("reserved");
  const caKey = readCaKey(r.string("signature key"));
  const signedLength = r.offset;
  const signature = r.string("signature");
  r.end("certificate");
  const signatureAlgorithm = verifySignature(caKey, signature, blob.subarray(0, signedLength));
  return {
    type: typeName as CertificateType,
    kind,
    key: buildPublicKey(keyType, jwk),
    nonce,
    serial,
    keyId,
    principals,
    validAfter,
    validBefore,
    criticalOptions,
    extensions,
    caKey,
    signatureAlgorithm,
    blob,
  };
}

function readCaKey(blob: Uint8Array): PublicKey {
  const name = new SshReader(blob).text("signature key type");
  if (baseKeyType(name) !== null) {
    throw new SshCertificateError(
      "the signature key is itself a certificate; chained certificates are not supported",
    );
  }
  return parsePublicKeyBlob(blob);
}

/** True when `now` (seconds) is inside [validAfter, validBefore), the rule sshd applies. */
export function isValidAt(cert: Certificate, nowSeconds: bigint): boolean {
  return cert.validAfter <= nowSeconds && nowSeconds < cert.validBefore;
}

export function formatCertificate(cert: Certificate, comment?: string): string {
  return formatLine(cert.type, cert.blob, comment);
}

export function isCertificateTypeName(name: string): boolean {
  return baseKeyType(name) !== null;
}
