/**
 * Group commit for the activity log. Appends that arrive while a transaction is in flight wait
 * and go into the next one together: one head lock, one multi-row insert and one commit for the
 * whole group, so throughput grows with load instead of being capped by one commit per event.
 * Each `append` resolves only after its event is committed (nothing is acknowledged early), and
 * the order of `append` calls is the order in the chain.
 */

import type { HashedFields } from "./chain-hash.ts";
import { type AppendAuditEventInput, chainKeyOf, linkEvents, prepareEvent } from "./lib/prepare-event.ts";
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

interface Pending {
  readonly fields: HashedFields;
  readonly resolve: (event: AuditEvent) => void;
  readonly reject: (error: unknown) => void;
}

export function createAuditWriter(repo: AuditRepository, options: AuditWriterOptions = {}): AuditWriter {
  const maxBatch = options.maxBatch ?? 500;
  let queue: Pending[] = [];
  let draining: Promise<void> | undefined;

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        const events = await repo.transaction(async (tx) => {
          const linked = linkEvents(
            chainKeyOf(repo),
            await tx.lockHead(),
            batch.map((p) => p.fields),
          );
          await tx.append(linked.events, linked.seal);
          return linked.events;
        });
        for (const [i, p] of batch.entries()) p.resolve(events[i] as AuditEvent);
      } catch (error) {
        // The transaction rolled back: none of the batch is in the log, and every caller hears so.
        for (const p of batch) p.reject(error);
      }
    }
  }

  function start(): Promise<void> {
    draining ??= Promise.resolve()
      .then(drain)
      .finally(() => {
        draining = undefined;
        if (queue.length > 0) void start();
      });
    return draining;
  }

  return {
    append(input) {
      let fields: HashedFields;
      try {
        chainKeyOf(repo);
        fields = prepareEvent(input);
      } catch (error) {
        return Promise.reject(error);
      }
      return new Promise<AuditEvent>((resolve, reject) => {
        queue.push({ fields, resolve, reject });
        void start();
      });
    },
    async flush() {
      while (draining || queue.length > 0) await start();
    },
  };
}
