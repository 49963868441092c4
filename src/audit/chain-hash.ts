/**
 * The chain's hash: `hash = SHA-256(prevHash ‖ canonicalJson(event fields))`, hex.
 *
 * Hashed fields: id, time (ISO 8601), tenantId, actor, action, target, result, correlationId,
 * details. `seq` is deliberately not hashed: the links order the rows, so a row moved to another
 * position (seq values swapped) keeps a valid own hash but links to the wrong neighbour, which
 * the verifier reports as "reordered" rather than as an edit.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json.ts";
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

export function chainHash(prevHash: string, event: HashedFields): string {
  return createHash("sha256").update(prevHash, "utf8").update(canonicalEvent(event), "utf8").digest("hex");
}
