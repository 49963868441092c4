/**
 * Appends one event to the activity log. Call it with the repository of the transaction that
 * makes the change being recorded, so the change and its record commit together or not at all.
 */
import { randomUUID } from "node:crypto";
import { canonicalJson } from "./canonical-json.ts";
import { chainHash } from "./chain-hash.ts";
import { InvalidAuditInputError } from "./errors.ts";
import type { AuditRepository } from "./repository.ts";
import { AUDIT_RESULTS, type AuditEvent, type AuditResult } from "./types.ts";

export const MAX_DETAILS_BYTES = 16_384;
const FIELD_MAX = 512;
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u;

export interface AppendAuditEventInput {
  readonly tenantId: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly result: AuditResult;
  /** Ties together the events of one request; generated when absent. */
  readonly correlationId?: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly now?: () => Date;
}

function field(value: unknown, name: string): string {
  if (
    typeof value !== "string" ||
    value.length === 0 ||
    value.length > FIELD_MAX ||
    UNPRINTABLE.test(value)
  ) {
    throw new InvalidAuditInputError(`audit ${name} must be 1-${FIELD_MAX} printable characters`);
  }
  return value;
}

export async function appendAuditEvent(
  repo: AuditRepository,
  input: AppendAuditEventInput,
): Promise<AuditEvent> {
  if (!AUDIT_RESULTS.includes(input.result))
    throw new InvalidAuditInputError("audit result must be success, failure or denied");
  const details = input.details ?? {};
  // Round-trip through canonical JSON: refuses non-JSON values and freezes what will be hashed.
  const json = canonicalJson(details);
  if (Buffer.byteLength(json) > MAX_DETAILS_BYTES)
    throw new InvalidAuditInputError("audit details are too large");
  if (typeof details !== "object" || details === null || Array.isArray(details)) {
    throw new InvalidAuditInputError("audit details must be an object");
  }
  const fields = {
    id: randomUUID(),
    time: input.now ? input.now() : new Date(),
    tenantId: field(input.tenantId, "tenant"),
    actor: field(input.actor, "actor"),
    action: field(input.action, "action"),
    target: field(input.target, "target"),
    result: input.result,
    correlationId: field(input.correlationId ?? randomUUID(), "correlation id"),
    details: JSON.parse(json) as Record<string, unknown>,
  };
  return repo.transaction(async (tx) => {
    const head = await tx.lockHead();
    const event: AuditEvent = {
      ...fields,
      seq: head.seq + 1,
      prevHash: head.hash,
      hash: chainHash(head.hash, fields),
    };
    await tx.append(event);
    return event;
  });
}
