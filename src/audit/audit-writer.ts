/**
 * Group commit for the activity log (shared/group-commit.ts): appends that arrive while a
 * transaction is in flight go into the next one together: one head lock, one multi-row insert and
 * one commit for the whole group. Each `append` resolves only after its event is committed
 * (nothing is acknowledged early), and the order of `append` calls is the order in the chain.
 */

import { createGroupCommit } from "../shared/group-commit.ts";
import { appendPreparedEvents } from "./append-audit-event.ts";
import type { HashedFields } from "./chain-hash.ts";
import { type AppendAuditEventInput, chainKeyOf, prepareEvent } from "./lib/prepare-event.ts";
import type { AuditRepository } from "./repository.ts";
import type { AuditEvent } from "./types.ts";

export interface AuditWriter {
  /** Validates at once (throws synchronously-rejected InvalidAuditInputError), resolves on commit. */
  append(input: AppendAuditEventInput): Promise<AuditEvent>;
  /** Resolves when everything appended so far is committed (or has failed). */
  flush(): Promise<void>;
}

export interface AuditWriterOptions {
  /** Most events per transaction. */
  readonly maxBatch?: number;
}

export function createAuditWriter(repo: AuditRepository, options: AuditWriterOptions = {}): AuditWriter {
  // A failed transaction wrote none of the group, and every caller hears so.
  const group = createGroupCommit<HashedFields, AuditEvent>((batch) => appendPreparedEvents(repo, batch), {
    maxBatch: options.maxBatch ?? 500,
    isolateFailures: false,
  });
  return {
    append(input) {
      let fields: HashedFields;
      try {
        chainKeyOf(repo);
        fields = prepareEvent(input);
      } catch (error) {
        return Promise.reject(error);
      }
      return group.submit(fields);
    },
    flush: () => group.flush(),
  };
}
