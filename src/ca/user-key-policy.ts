/**
 * Which SSH keys the CA will certify for users (PRODUCT.md §4): Ed25519, ECDSA P-256/384/521,
 * RSA of at least 3072 bits. Certificates are refused by parsing (only plain keys reach here), and
 * CA or host keys known to the service are refused by fingerprint.
 */
import { fingerprintSha256, type PublicKey } from "../ssh/index.ts";
import { CaKeyRejectedError } from "./errors.ts";

export const MIN_RSA_BITS = 3072;

/** Fingerprints of keys that must never be certified as user keys (CA keys, host keys). */
export interface ReservedKeys {
  isReserved(fingerprint: string): boolean;
}

export function checkUserKey(key: PublicKey, reserved: ReservedKeys): void {
  if (key.type === "ssh-rsa" && key.bits < MIN_RSA_BITS) {
    throw new CaKeyRejectedError(
      `RSA keys must have at least ${MIN_RSA_BITS} bits (this one has ${key.bits})`,
    );
  }
  if (reserved.isReserved(fingerprintSha256(key.blob))) {
    throw new CaKeyRejectedError("this key is a CA or host key and is never certified as a user key");
  }
}
