/**
 * Private keys in OpenSSH's own `openssh-key-v1` file format (unencrypted), so that keys made
 * here load in `ssh -i` and keys made by `ssh-keygen -N ""` load here; plus key generation.
 */
import {
  createPrivateKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
} from "node:crypto";
import { SshFormatError, SshInvalidKeyError, SshUnsupportedTypeError } from "./errors.ts";
import { curveOf, type KeyType, type PublicKey, publicKeyFromKeyObject, readKeyTypeName } from "./keys.ts";
import {
  base64url,
  decodeBase64Strict,
  encodeBase64,
  fromBase64url,
  SshReader,
  SshWriter,
} from "./lib/wire.ts";

const MAGIC = new TextEncoder().encode("openssh-key-v1\0");
const BEGIN = "-----BEGIN OPENSSH PRIVATE KEY-----";
const END = "-----END OPENSSH PRIVATE KEY-----";

export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: PublicKey;
}

export interface GenerateKeyOptions {
  /** RSA modulus size; hostpass accepts 3072 and up for user keys. */
  readonly rsaBits?: number;
}

export function generateKeyPair(type: KeyType, options: GenerateKeyOptions = {}): KeyPair {
  let privateKey: KeyObject;
  if (type === "ssh-ed25519") privateKey = generateKeyPairSync("ed25519").privateKey;
  else if (type === "ssh-rsa")
    privateKey = generateKeyPairSync("rsa", { modulusLength: options.rsaBits ?? 3072 }).privateKey;
  else {
    const namedCurve = {
      "ecdsa-sha2-nistp256": "P-256",
      "ecdsa-sha2-nistp384": "P-384",
      "ecdsa-sha2-nistp521": "P-521",
    }[type];
    privateKey = generateKeyPairSync("ec", { namedCurve }).privateKey;
  }
  return { privateKey, publicKey: publicKeyFromKeyObject(privateKey) };
}

export function formatPrivateKey(privateKey: KeyObject, comment = ""): string {
  const publicKey = publicKeyFromKeyObject(privateKey);
  const jwk = privateKey.export({ format: "jwk" });
  const check = randomBytes(4).readUInt32BE(0);
  const inner = new SshWriter().uint32(check).uint32(check).text(publicKey.type);
  const b = (field: string | undefined) => fromBase64url(field as string);
  const curve = curveOf(publicKey.type);
  if (publicKey.type === "ssh-ed25519") {
    const pk = b(jwk.x);
    const sk = new Uint8Array(64);
    sk.set(b(jwk.d));
    sk.set(pk, 32);
    inner.string(pk).string(sk);
  } else if (curve) {
    const r = new SshReader(publicKey.blob);
    r.text();
    r.text();
    inner.text(curve.id).string(r.string()).mpintBytes(b(jwk.d));
  } else {
    inner.mpintBytes(b(jwk.n)).mpintBytes(b(jwk.e)).mpintBytes(b(jwk.d));
    inner.mpintBytes(b(jwk.qi)).mpintBytes(b(jwk.p)).mpintBytes(b(jwk.q));
  }
  inner.text(comment);
  for (let pad = 1; inner.length % 8 !== 0; pad++) inner.byte(pad);
  const body = new SshWriter()
    .raw(MAGIC)
    .text("none")
    .text("none")
    .string(new Uint8Array(0))
    .uint32(1)
    .string(publicKey.blob)
    .string(inner.bytes())
    .bytes();
  const lines = encodeBase64(body).match(/.{1,70}/g) ?? [];
  return `${BEGIN}\n${lines.join("\n")}\n${END}\n`;
}

export function parsePrivateKey(text: string): {
  privateKey: KeyObject;
  publicKey: PublicKey;
  comment: string;
} {
  const trimmed = text.trim();
  if (!trimmed.startsWith(BEGIN) || !trimmed.endsWith(END)) {
    throw new SshFormatError("not an OpenSSH private key (expected the openssh-key-v1 format)");
  }
  const body = decodeBase64Strict(
    trimmed.slice(BEGIN.length, -END.length).replace(/\s+/g, ""),
    "private key",
  );
  const r = new SshReader(body);
  if (Buffer.compare(r.raw(MAGIC.length, "magic"), MAGIC) !== 0)
    throw new SshFormatError("bad private key magic");
  const cipher = r.text("cipher name");
  const kdf = r.text("kdf name");
  r.string("kdf options");
  if (cipher !== "none" || kdf !== "none") {
    throw new SshUnsupportedTypeError(
      "encrypted private keys are not supported; decrypt with ssh-keygen -p first",
    );
  }
  if (r.uint32("key count") !== 1) throw new SshFormatError("exactly one key per file is supported");
  const publicBlob = r.string("public key");
  const inner = new SshReader(r.string("private section"));
  r.end("private key file");
  const check1 = inner.uint32("check");
  if (check1 !== inner.uint32("check")) throw new SshFormatError("private key check values differ");
  const type = readKeyTypeName(inner);
  const jwk = readPrivateFields(inner, type);
  const comment = inner.text("comment");
  for (let pad = 1; inner.remaining > 0; pad++) {
    if (inner.byte("padding") !== (pad & 0xff)) throw new SshFormatError("bad private key padding");
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: jwk, format: "jwk" });
  } catch (cause) {
    throw new SshInvalidKeyError("private key values are not a valid key", { cause });
  }
  const publicKey = publicKeyFromKeyObject(privateKey);
  if (Buffer.compare(publicKey.blob, publicBlob) !== 0)
    throw new SshInvalidKeyError("private and public key do not match");
  return { privateKey, publicKey, comment };
}

function readPrivateFields(r: SshReader, type: KeyType): JsonWebKey {
  if (type === "ssh-ed25519") {
    const pk = r.string("ed25519 public");
    const sk = r.string("ed25519 private");
    if (pk.length !== 32 || sk.length !== 64) throw new SshFormatError("bad ed25519 private key lengths");
    return { kty: "OKP", crv: "Ed25519", x: base64url(pk), d: base64url(sk.subarray(0, 32)) };
  }
  const curve = curveOf(type);
  if (curve) {
    if (r.text("curve") !== curve.id) throw new SshFormatError("curve does not match key type");
    const q = r.string("ecdsa point");
    const d = r.mpintBytes("ecdsa private");
    const n = curve.coordinateBytes;
    if (q.length !== 1 + 2 * n || d.length > n) throw new SshFormatError("bad ecdsa private key lengths");
    const dPadded = new Uint8Array(n);
    dPadded.set(d, n - d.length);
    return {
      kty: "EC",
      crv: curve.jwk,
      x: base64url(q.subarray(1, 1 + n)),
      y: base64url(q.subarray(1 + n)),
      d: base64url(dPadded),
    };
  }
  const [n, e, d, qi, p, q] = ["n", "e", "d", "iqmp", "p", "q"].map((what) =>
    r.mpintBytes(`rsa ${what}`),
  ) as Uint8Array[];
  const pBig = toBigInt(p as Uint8Array);
  const qBig = toBigInt(q as Uint8Array);
  const dBig = toBigInt(d as Uint8Array);
  if (pBig < 3n || qBig < 3n) throw new SshInvalidKeyError("rsa primes are invalid");
  return {
    kty: "RSA",
    n: base64url(n as Uint8Array),
    e: base64url(e as Uint8Array),
    d: base64url(d as Uint8Array),
    p: base64url(p as Uint8Array),
    q: base64url(q as Uint8Array),
    dp: base64url(fromBigInt(dBig % (pBig - 1n))),
    dq: base64url(fromBigInt(dBig % (qBig - 1n))),
    qi: base64url(qi as Uint8Array),
  };
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString("hex")}`);
}

function fromBigInt(v: bigint): Uint8Array {
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return new Uint8Array(Buffer.from(hex, "hex"));
}
