/**
 * Secrets at rest (CA private keys, TOTP seeds): AES-256-GCM under a 32-byte key-encryption key
 * held outside the database. The additional data binds a sealed value to what it belongs to, so
 * sealed values cannot be swapped between records. Format: `v1.<iv>.<tag>.<ciphertext>` (base64url).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { HostpassError } from "./errors.ts";

export const KEK_BYTES = 32;

/** A sealed value that does not open: wrong key-encryption key, tampering, or an unknown format. */
export class SealOpenError extends HostpassError {
  static readonly code = "ERR_SEALED_SECRET_UNREADABLE";
  readonly code = SealOpenError.code;
  readonly kind = "unavailable";
}

function checkKek(kek: Uint8Array): void {
  if (kek.length !== KEK_BYTES) throw new TypeError(`the key-encryption key must be ${KEK_BYTES} bytes`);
}

export function seal(plaintext: Uint8Array, kek: Uint8Array, aad: string): string {
  checkKek(kek);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", kek, iv).setAAD(Buffer.from(aad));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return `v1.${iv.toString("base64url")}.${cipher.getAuthTag().toString("base64url")}.${ciphertext.toString("base64url")}`;
}

export function open(sealed: string, kek: Uint8Array, aad: string): Uint8Array {
  checkKek(kek);
  const [version, iv, tag, ciphertext, extra] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || ciphertext === undefined || extra !== undefined) {
    throw new SealOpenError("sealed secret has an unknown format");
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", kek, Buffer.from(iv, "base64url")).setAAD(
      Buffer.from(aad),
    );
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]);
  } catch (cause) {
    throw new SealOpenError("cannot open the sealed secret (wrong key-encryption key or tampered value)", {
      cause,
    });
  }
}
