/**
 * The key the activity log's chain is sealed with (issue 11 item 2). Every event's hash is an
 * HMAC-SHA-256 under it, and so is the chain head, so someone who can write the database but does
 * not hold the key-encryption key cannot rewrite an event, its successors and the head into a
 * chain that verifies. It is derived from the key-encryption key (HKDF-SHA-256 with its own
 * label), which never enters the database; nothing else is keyed with it.
 */
import { createHmac, createSecretKey, hkdfSync, type KeyObject } from "node:crypto";

export interface AuditChainKey {
  /** Opaque: only chain-hash.ts uses it. */
  readonly hmacKey: KeyObject;
}

const LABEL = "hostpass activity log chain v1";

export function deriveAuditChainKey(keyEncryptionKey: Uint8Array): AuditChainKey {
  if (!(keyEncryptionKey instanceof Uint8Array) || keyEncryptionKey.length !== 32) {
    throw new TypeError("the key-encryption key must be 32 bytes");
  }
  const bytes = hkdfSync("sha256", keyEncryptionKey, new Uint8Array(0), LABEL, 32);
  return Object.freeze({ hmacKey: createSecretKey(Buffer.from(bytes)) });
}

export function hmacHex(key: AuditChainKey, ...parts: readonly string[]): string {
  const mac = createHmac("sha256", key.hmacKey);
  for (const part of parts) mac.update(part, "utf8");
  return mac.digest("hex");
}
