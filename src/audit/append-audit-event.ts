/**
 * Appends events to the activity log. Call it with the repository of the transaction that makes
 * the change being recorded, so the change and its record commit together or not at all. For
 * high-volume events with no change of their own (sign-in refusals, host logins), an `AuditWriter`
 * (audit-writer.ts) groups concurrent appends into one transaction.
 */
import type { HashedFields } from "./chain-hash.ts";
import { type AppendAuditEventInput, chainKeyOf, linkEvents, prepareEvent } from "./lib/prepare-event.ts";
import type { AuditRepository } from "./repository.ts";
import type { AuditEvent } from "./types.ts";

export { type AppendAuditEventInput, MAX_DETAILS_BYTES } from "./lib/prepare-event.ts";

/** Appends events in order (one head lock, one insert); inside a transaction, as part of it. */
export async function appendAuditEvents(
  repo: AuditRepository,
  inputs: readonly AppendAuditEventInput[],
): Promise<AuditEvent[]> {
  chainKeyOf(repo);
  return appendPreparedEvents(repo, inputs.map(prepareEvent));
}

export async function appendAuditEvent(
  repo: AuditRepository,
  input: AppendAuditEventInput,
): Promise<AuditEvent> {
  const [event] = await appendAuditEvents(repo, [input]);
  if (!event) throw new TypeError("linkEvents returned nothing");
  return event;
}

/** Links already validated events onto the chain head and writes them. */
export function appendPreparedEvents(
  repo: AuditRepository,
  prepared: readonly HashedFields[],
): Promise<AuditEvent[]> {
  const key = chainKeyOf(repo);
  return repo.transaction(async (tx) => {
    const { events, seal } = linkEvents(key, await tx.lockHead(), prepared);
    await tx.append(events, seal);
    return events;
  });
}
