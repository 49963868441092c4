/**
 * The chain's hash: `hash = HMAC-SHA-256(chain key, prevHash ‖ canonicalJson(event fields))`, hex,
 * under the key derived from the key-encryption key (chain-key.ts), so only a holder of that key
 * can make a row that verifies. Logs from before migration 0061 used plain SHA-256 (kept below for
 * that migration's check of an old log, nothing else).
 *
 * Hashed fields: id, time (ISO 8601), tenantId, actor, action, target, result, correlationId,
 * details. `seq` is deliberately not hashed: the links order the rows, so a row moved to another
 * position (seq values swapped) keeps a valid own hash but links to the wrong neighbour, which
 * the verifier reports as "reordered" rather than as an edit.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json.ts";
import { type AuditChainKey, hmacHex } from "./chain-key.ts";
import type { AuditEvent } from "./types.ts";

export const GENESIS_HASH = "0".repeat(64);

export type HashedFields = Omit<AuditEvent, "seq" | "prevHash" | "hash">;

export function canonicalEvent(event: HashedFields): string {
  return canonicalJson({
    id: event.id,
    time: event.time.toISOString(),
    tenantId: event.tenantId,
    actor: event.actor,
    action: event.action,
    target: event.target,
    result: event.result,
    correlationId: event.correlationId,
    details: event.details,
  });
}

export function chainHash(key: AuditChainKey, prevHash: string, event: HashedFields): string {
  return hmacHex(key, prevHash, canonicalEvent(event));
}

/** The unkeyed hash of logs written before migration 0061 (that migration checks them with it). */
export function unkeyedChainHash(prevHash: string, event: HashedFields): string {
  return createHash("sha256").update(prevHash, "utf8").update(canonicalEvent(event), "utf8").digest("hex");
}

/**
 * The head's seal: which event is the last, under the key. Without it, rows deleted from the end
 * and the head moved back to the new last row would still form a valid chain.
 */
export function headSeal(key: AuditChainKey, head: { readonly seq: number; readonly hash: string }): string {
  return hmacHex(key, "head\n", String(head.seq), "\n", head.hash);
}
