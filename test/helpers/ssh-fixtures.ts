/** Shared builders for the SSH tests: cached key pairs and typical certificate fields. */
import type { CertificateFields, KeyType, PublicKey } from "../../src/ssh/index.ts";
import { generateKeyPair, type KeyPair, keyObjectSigner, type Signer } from "../../src/ssh/index.ts";

export const ALL_KEY_TYPES: readonly KeyType[] = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "ssh-rsa",
];

const cache = new Map<string, KeyPair>();

/** Key generation is slow for RSA; tests share one pair per (type, label). */
export function testKeyPair(type: KeyType, label = "default"): KeyPair {
  const id = `${type}/${label}`;
  let pair = cache.get(id);
  if (!pair) {
    pair = generateKeyPair(type, { rsaBits: 3072 });
    cache.set(id, pair);
  }
  return pair;
}

export function testSigner(type: KeyType, label = "ca"): Signer {
  return keyObjectSigner(testKeyPair(type, label).privateKey);
}

export function nowSeconds(): bigint {
  return BigInt(Math.floor(Date.now() / 1000));
}

export function userCertFields(
  key: PublicKey,
  overrides: Partial<CertificateFields> = {},
): CertificateFields {
  const now = nowSeconds();
  return {
    kind: "user",
    key,
    serial: 4242n,
    keyId: "tenant-1/object-1",
    principals: ["root"],
    validAfter: now - 60n,
    validBefore: now + 3600n,
    criticalOptions: {},
    extensions: { "permit-pty": "" },
    ...overrides,
  };
}
