/**
 * Appends one event to the activity log. Call it with the repository of the transaction that
 * makes the change being recorded, so the change and its record commit together or not at all.
 * For high-volume events with no change of their own (sign-ins, certificates, host logins), an
 * `AuditWriter` (audit-writer.ts) groups concurrent appends into one transaction.
 */
import { type AppendAuditEventInput, chainKeyOf, linkEvents, prepareEvent } from "./lib/prepare-event.ts";
import type { AuditRepository } from "./repository.ts";
import type { AuditEvent } from "./types.ts";

export { type AppendAuditEventInput, MAX_DETAILS_BYTES } from "./lib/prepare-event.ts";

export async function appendAuditEvent(
  repo: AuditRepository,
  input: AppendAuditEventInput,
): Promise<AuditEvent> {
  const key = chainKeyOf(repo);
  const fields = prepareEvent(input);
  return repo.transaction(async (tx) => {
    const { events, seal } = linkEvents(key, await tx.lockHead(), [fields]);
    const [event] = events;
    if (!event) throw new TypeError("linkEvents returned nothing");
    await tx.append(events, seal);
    return event;
  });
}
