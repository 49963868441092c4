/**
 * Plain OpenSSH public keys: wire blobs, the authorized_keys text form, KeyObject and JWK
 * conversion, and SHA256 fingerprints as `ssh-keygen -l` prints them.
 */
import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import { SshFormatError, SshInvalidKeyError, SshUnsupportedTypeError } from "./errors.ts";
import { isStrongEd25519Point } from "./lib/ed25519-order.ts";
import { base64url, encodeBase64, fromBase64url, SshReader, SshWriter } from "./lib/wire.ts";

export const KEY_TYPES = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "ssh-rsa",
] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export interface PublicKey {
  readonly type: KeyType;
  /** The wire encoding (`string type` followed by the key fields). */
  readonly blob: Uint8Array;
  /** Modulus size for RSA, curve size for ECDSA, 256 for Ed25519. */
  readonly bits: number;
  readonly keyObject: KeyObject;
}

interface Curve {
  readonly id: "nistp256" | "nistp384" | "nistp521";
  readonly jwk: "P-256" | "P-384" | "P-521";
  readonly coordinateBytes: number;
  readonly bits: number;
}

const CURVES: Record<string, Curve> = {
  "ecdsa-sha2-nistp256": { id: "nistp256", jwk: "P-256", coordinateBytes: 32, bits: 256 },
  "ecdsa-sha2-nistp384": { id: "nistp384", jwk: "P-384", coordinateBytes: 48, bits: 384 },
  "ecdsa-sha2-nistp521": { id: "nistp521", jwk: "P-521", coordinateBytes: 66, bits: 521 },
};

const RSA_MIN_BITS = 1024;
const RSA_MAX_BITS = 16384;

export function isKeyType(name: string): name is KeyType {
  return (KEY_TYPES as readonly string[]).includes(name);
}

export function curveOf(type: KeyType): Curve | undefined {
  return CURVES[type];
}

/** Reads the type-specific fields of `type` (the part after the type name) and builds the key. */
export function readKeyFields(r: SshReader, type: KeyType): { jwk: JsonWebKey; fields: Uint8Array[] } {
  if (type === "ssh-ed25519") {
    const pk = r.string("ed25519 public key");
    if (pk.length !== 32) throw new SshFormatError("ed25519 public key must be 32 bytes");
    if (!isStrongEd25519Point(pk)) throw new SshInvalidKeyError("ed25519 public key is not a valid point");
    return { jwk: { kty: "OKP", crv: "Ed25519", x: base64url(pk) }, fields: [pk] };
  }
  const curve = CURVES[type];
  if (curve) {
    const name = r.text("curve name");
    if (name !== curve.id) throw new SshFormatError(`curve ${JSON.stringify(name)} does not match ${type}`);
    const q = r.string("ecdsa point");
    if (q.length !== 1 + 2 * curve.coordinateBytes || q[0] !== 0x04) {
      throw new SshInvalidKeyError("ecdsa point must be an uncompressed point of the named curve");
    }
    const x = q.subarray(1, 1 + curve.coordinateBytes);
    const y = q.subarray(1 + curve.coordinateBytes);
    return { jwk: { kty: "EC", crv: curve.jwk, x: base64url(x), y: base64url(y) }, fields: [q] };
  }
  const e = r.mpintBytes("rsa exponent");
  const n = r.mpintBytes("rsa modulus");
  return { jwk: { kty: "RSA", e: base64url(e), n: base64url(n) }, fields: [e, n] };
}

/** Turns a JWK (public part) into a validated PublicKey, building the canonical blob when none is given. */
export function buildPublicKey(type: KeyType, jwk: JsonWebKey, blob?: Uint8Array): PublicKey {
  let keyObject: KeyObject;
  try {
    keyObject = createPublicKey({ key: jwk, format: "jwk" });
  } catch (cause) {
    throw new SshInvalidKeyError(`${type} key is not a valid public key`, { cause });
  }
  let bits = 256;
  const curve = CURVES[type];
  if (curve) bits = curve.bits;
  if (type === "ssh-rsa") {
    bits = keyObject.asymmetricKeyDetails?.modulusLength ?? 0;
    const firstByte = fromBase64url(jwk.n as string)[0] ?? 0;
    if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS || firstByte === 0) {
      throw new SshInvalidKeyError(`RSA modulus of ${bits} bits is outside ${RSA_MIN_BITS}..${RSA_MAX_BITS}`);
    }
    const e = keyObject.asymmetricKeyDetails?.publicExponent ?? 0n;
    if (e < 3n || e % 2n === 0n) throw new SshInvalidKeyError("RSA public exponent is invalid");
  }
  return { type, blob: blob ?? encodeKeyBlob(type, jwk), bits, keyObject };
}

function encodeKeyBlob(type: KeyType, jwk: JsonWebKey): Uint8Array {
  const w = new SshWriter().text(type);
  if (type === "ssh-ed25519") return w.string(fromBase64url(jwk.x as string)).bytes();
  const curve = CURVES[type];
  if (curve) {
    const q = new Uint8Array(1 + 2 * curve.coordinateBytes);
    q[0] = 0x04;
    q.set(fromBase64url(jwk.x as string), 1);
    q.set(fromBase64url(jwk.y as string), 1 + curve.coordinateBytes);
    return w.text(curve.id).string(q).bytes();
  }
  return w
    .mpintBytes(fromBase64url(jwk.e as string))
    .mpintBytes(fromBase64url(jwk.n as string))
    .bytes();
}

/** Parses the wire blob of a plain public key. Certificates are refused here. */
export function parsePublicKeyBlob(blob: Uint8Array): PublicKey {
  const r = new SshReader(blob);
  const type = readKeyTypeName(r);
  const { jwk } = readKeyFields(r, type);
  r.end("public key");
  return buildPublicKey(type, jwk, blob);
}

export function readKeyTypeName(r: SshReader): KeyType {
  const name = r.text("key type");
  if (isKeyType(name)) return name;
  if (name.endsWith("-cert-v01@openssh.com")) {
    throw new SshUnsupportedTypeError(
      `a certificate (${name}) is not accepted where a plain key is expected`,
    );
  }
  throw new SshUnsupportedTypeError(`unsupported key type ${JSON.stringify(name.slice(0, 64))}`);
}

export function publicKeyFromKeyObject(key: KeyObject): PublicKey {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  const jwk = pub.export({ format: "jwk" });
  return buildPublicKey(keyTypeOfJwk(jwk), jwk);
}

export function publicKeyFromJwk(jwk: JsonWebKey): PublicKey {
  if ("d" in jwk) throw new SshInvalidKeyError("a JWK with private parts is not accepted as a public key");
  return buildPublicKey(keyTypeOfJwk(jwk), {
    kty: jwk.kty,
    crv: jwk.crv,
    x: jwk.x,
    y: jwk.y,
    n: jwk.n,
    e: jwk.e,
  });
}

export function publicKeyToJwk(key: PublicKey): JsonWebKey {
  return key.keyObject.export({ format: "jwk" });
}

function keyTypeOfJwk(jwk: JsonWebKey): KeyType {
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519" && typeof jwk.x === "string") return "ssh-ed25519";
  if (jwk.kty === "RSA" && typeof jwk.n === "string" && typeof jwk.e === "string") return "ssh-rsa";
  if (jwk.kty === "EC" && typeof jwk.x === "string" && typeof jwk.y === "string") {
    for (const [type, curve] of Object.entries(CURVES)) if (curve.jwk === jwk.crv) return type as KeyType;
  }
  throw new SshUnsupportedTypeError(`unsupported JWK (kty ${String(jwk.kty)}, crv ${String(jwk.crv)})`);
}

/** `SHA256:<base64 without padding>`, exactly as `ssh-keygen -l` prints it. */
export function fingerprintSha256(blob: Uint8Array): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

export function sha256(blob: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(blob).digest());
}

export function publicKeysEqual(a: PublicKey, b: PublicKey): boolean {
  return Buffer.compare(a.blob, b.blob) === 0;
}

/** The one-line `type base64 [comment]` form used by authorized_keys, .pub files and trust files. */
export function formatPublicKey(key: PublicKey, comment?: string): string {
  return formatLine(key.type, key.blob, comment);
}

export function formatLine(type: string, blob: Uint8Array, comment?: string): string {
  const base = `${type} ${encodeBase64(blob)}`;
  if (comment === undefined || comment === "") return base;
  if (/[\r\n\0]/.test(comment)) throw new TypeError("comment must be a single line");
  return `${base} ${comment}`;
}
