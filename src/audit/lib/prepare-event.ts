/** Validation of an event to append, and linking prepared events onto the chain head. */
import { randomUUID } from "node:crypto";
import { canonicalJson } from "../canonical-json.ts";
import { chainHash, type HashedFields, headSeal } from "../chain-hash.ts";
import type { AuditChainKey } from "../chain-key.ts";
import { AuditKeyMissingError, InvalidAuditInputError } from "../errors.ts";
import type { AuditRepository } from "../repository.ts";
import { AUDIT_RESULTS, type AuditEvent, type AuditHead, type AuditResult } from "../types.ts";

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

/** Checks the input and fixes what will be hashed (id, time, canonicalised details). */
export function prepareEvent(input: AppendAuditEventInput): HashedFields {
  if (!AUDIT_RESULTS.includes(input.result)) {
    throw new InvalidAuditInputError("audit result must be success, failure or denied");
  }
  const details = input.details ?? {};
  if (typeof details !== "object" || details === null || Array.isArray(details)) {
    throw new InvalidAuditInputError("audit details must be an object");
  }
  // Round-trip through canonical JSON: refuses non-JSON values and freezes what will be hashed.
  const json = canonicalJson(details);
  if (Buffer.byteLength(json) > MAX_DETAILS_BYTES)
    throw new InvalidAuditInputError("audit details are too large");
  return {
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
}

/** The chain key of the repository, or AuditKeyMissingError: nothing unkeyed is ever written. */
export function chainKeyOf(repo: AuditRepository): AuditChainKey {
  const key = repo.chainKey;
  if (key === undefined) throw new AuditKeyMissingError();
  return key;
}

/** Chains prepared events after `head`, in order, and seals the new head. */
export function linkEvents(
  key: AuditChainKey,
  head: AuditHead,
  prepared: readonly HashedFields[],
): { events: AuditEvent[]; seal: string } {
  let { seq, hash } = head;
  const events = prepared.map((fields) => {
    const event: AuditEvent = { ...fields, seq: seq + 1, prevHash: hash, hash: chainHash(key, hash, fields) };
    seq = event.seq;
    hash = event.hash;
    return event;
  });
  return { events, seal: headSeal(key, { seq, hash }) };
}
