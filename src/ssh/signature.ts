/**
 * SSH signatures (RFC 4253 §6.6, RFC 5656 §3.1.2, RFC 8332, RFC 8709): the `string algorithm,
 * string blob` envelope, signing with a KeyObject, and strict verification.
 */
import { sign as cryptoSign, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { SshFormatError, SshSignatureAlgorithmError, SshSignatureInvalidError } from "./errors.ts";
import { curveOf, type KeyType, type PublicKey, publicKeyFromKeyObject } from "./keys.ts";
import { SshReader, SshWriter } from "./lib/wire.ts";

export const SIGNATURE_ALGORITHMS = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-256",
  "rsa-sha2-512",
] as const;
export type SignatureAlgorithm = (typeof SIGNATURE_ALGORITHMS)[number];

/** Something that holds a private key and returns SSH signature blobs (a KeyObject, later an HSM). */
export interface Signer {
  readonly publicKey: PublicKey;
  readonly algorithm: SignatureAlgorithm;
  sign(data: Uint8Array): Uint8Array;
}

const HASH: Record<SignatureAlgorithm, string | null> = {
  "ssh-ed25519": null,
  "ecdsa-sha2-nistp256": "sha256",
  "ecdsa-sha2-nistp384": "sha384",
  "ecdsa-sha2-nistp521": "sha512",
  "rsa-sha2-256": "sha256",
  "rsa-sha2-512": "sha512",
};

/** Which signature algorithms a key of `type` may produce. SHA-1 `ssh-rsa` is never one of them. */
export function algorithmsFor(type: KeyType): readonly SignatureAlgorithm[] {
  if (type === "ssh-rsa") return ["rsa-sha2-512", "rsa-sha2-256"];
  return [type];
}

export function keyObjectSigner(privateKey: KeyObject, algorithm?: SignatureAlgorithm): Signer {
  if (privateKey.type !== "private") throw new TypeError("keyObjectSigner needs a private key");
  const publicKey = publicKeyFromKeyObject(privateKey);
  const allowed = algorithmsFor(publicKey.type);
  const alg = algorithm ?? (allowed[0] as SignatureAlgorithm);
  if (!allowed.includes(alg)) throw new TypeError(`${alg} does not fit a ${publicKey.type} key`);
  const hash = HASH[alg];
  const curve = curveOf(publicKey.type);
  return {
    publicKey,
    algorithm: alg,
    sign(data) {
      const w = new SshWriter().text(alg);
      if (curve) {
        // DER output: Node's ieee-p1363 option halves the signing rate, so we unpack r and s ourselves.
        const { r, s } = derSignatureValues(cryptoSign(hash, data, privateKey));
        return w.nested((inner) => inner.mpintBytes(r).mpintBytes(s)).bytes();
      }
      return w.string(cryptoSign(hash, data, privateKey)).bytes();
    },
  };
}

/** Verifies an SSH signature blob made by `key` over `data`; throws a typed error otherwise. */
export function verifySignature(
  key: PublicKey,
  signatureBlob: Uint8Array,
  data: Uint8Array,
): SignatureAlgorithm {
  const r = new SshReader(signatureBlob);
  const alg = r.text("signature algorithm");
  const sig = r.string("signature");
  r.end("signature");
  if (!(algorithmsFor(key.type) as readonly string[]).includes(alg)) {
    throw new SshSignatureAlgorithmError(
      alg === "ssh-rsa"
        ? "ssh-rsa (SHA-1) signatures are not accepted"
        : `signature algorithm ${JSON.stringify(alg.slice(0, 64))} does not fit a ${key.type} key`,
    );
  }
  const algorithm = alg as SignatureAlgorithm;
  const hash = HASH[algorithm];
  let ok: boolean;
  const curve = curveOf(key.type);
  if (curve) {
    const sr = new SshReader(sig);
    const rBytes = sr.mpintBytes("ecdsa r");
    const sBytes = sr.mpintBytes("ecdsa s");
    sr.end("ecdsa signature");
    const n = curve.coordinateBytes;
    if (rBytes.length > n || sBytes.length > n) throw new SshFormatError("ecdsa signature value is too long");
    const p1363 = new Uint8Array(2 * n);
    p1363.set(rBytes, n - rBytes.length);
    p1363.set(sBytes, 2 * n - sBytes.length);
    ok = cryptoVerify(hash, data, { key: key.keyObject, dsaEncoding: "ieee-p1363" }, p1363);
  } else if (key.type === "ssh-rsa") {
    const modulusBytes = Math.ceil(key.bits / 8);
    if (sig.length > modulusBytes) throw new SshFormatError("rsa signature is longer than the modulus");
    const padded = new Uint8Array(modulusBytes);
    padded.set(sig, modulusBytes - sig.length);
    ok = cryptoVerify(hash, data, key.keyObject, padded);
  } else {
    if (sig.length !== 64) throw new SshFormatError("ed25519 signature must be 64 bytes");
    ok = cryptoVerify(null, data, key.keyObject, sig);
  }
  if (!ok) throw new SshSignatureInvalidError();
  return algorithm;
}

/** Unpacks `SEQUENCE { INTEGER r, INTEGER s }` as produced by OpenSSL (our own signer's output). */
function derSignatureValues(der: Uint8Array): { r: Uint8Array; s: Uint8Array } {
  let at = 2;
  if (der[1] === 0x81) at = 3;
  const readInteger = () => {
    if (der[at] !== 0x02) throw new TypeError("unexpected DER from crypto.sign");
    const len = der[at + 1] as number;
    const value = der.subarray(at + 2, at + 2 + len);
    at += 2 + len;
    return value;
  };
  const r = readInteger();
  return { r, s: readInteger() };
}
