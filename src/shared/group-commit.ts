/**
 * Group commit: work items that arrive while a commit is in flight wait and go into the next one
 * together (one transaction, one lock of each shared head, one fsync for the whole group), so
 * throughput grows with load instead of being capped by one commit per item. Each `submit`
 * resolves only after its item is committed (nothing is acknowledged early), in submission order.
 *
 * When a group fails, each of its items is tried again alone, so one bad item (a duplicate key)
 * fails only its own caller; a failure that is not the item's (the database is down) fails each.
 */
export interface GroupCommit<I, O> {
  /** Resolves with the item's result once its group committed; rejects when its commit failed. */
  submit(item: I): Promise<O>;
  /** Resolves when everything submitted so far is committed (or has failed). */
  flush(): Promise<void>;
}

export interface GroupCommitOptions {
  /** Most items per commit (default 500). */
  readonly maxBatch?: number;
  /** Whether a failed group is retried item by item (default true). */
  readonly isolateFailures?: boolean;
}

interface Pending<I, O> {
  readonly item: I;
  readonly resolve: (value: O) => void;
  readonly reject: (error: unknown) => void;
}

/** `commit` writes a group in one transaction and returns one result per item, in order. */
export function createGroupCommit<I, O>(
  commit: (batch: readonly I[]) => Promise<readonly O[]>,
  options: GroupCommitOptions = {},
): GroupCommit<I, O> {
  const maxBatch = options.maxBatch ?? 500;
  const isolate = options.isolateFailures ?? true;
  let queue: Pending<I, O>[] = [];
  let draining: Promise<void> | undefined;

  async function run(batch: readonly Pending<I, O>[]): Promise<void> {
    try {
      const results = await commit(batch.map((p) => p.item));
      if (results.length !== batch.length) throw new TypeError("group commit returned a wrong count");
      for (const [i, p] of batch.entries()) p.resolve(results[i] as O);
    } catch (error) {
      // The transaction rolled back: none of the group is written.
      if (!isolate || batch.length === 1) for (const p of batch) p.reject(error);
      else for (const p of batch) await run([p]);
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      await run(batch);
    }
  }

  function start(): Promise<void> {
    // The first commit waits for the event loop's turn to end (setImmediate), not just for the
    // current microtasks: a store that answers synchronously (node:sqlite) otherwise runs the
    // whole transaction before any other request reaches `submit`, one commit per item.
    draining ??= new Promise<void>((resolve) => setImmediate(resolve)).then(drain).finally(() => {
      draining = undefined;
      if (queue.length > 0) void start();
    });
    return draining;
  }

  return {
    submit(item) {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        void start();
      });
    },
    async flush() {
      while (draining || queue.length > 0) await start();
    },
  };
}
