import assert from "node:assert/strict";
import { test } from "node:test";
import { createGroupCommit } from "./group-commit.ts";

/** Resolves after `n` microtasks: a caller whose store reads answer synchronously (node:sqlite). */
async function microtasks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

test("items submitted in one turn of the event loop share one commit, though the store answers synchronously", async () => {
  const batches: number[][] = [];
  const group = createGroupCommit<number, string>(async (batch) => {
    batches.push([...batch]);
    return batch.map((i) => `committed ${i}`);
  });
  const results = await Promise.all(
    Array.from({ length: 8 }, async (_, i) => {
      await microtasks(i * 5);
      return group.submit(i);
    }),
  );
  assert.deepEqual(
    results,
    Array.from({ length: 8 }, (_, i) => `committed ${i}`),
  );
  assert.deepEqual(batches, [[0, 1, 2, 3, 4, 5, 6, 7]]);
});

test("items submitted while a commit is in flight go into the next one; a failed group is retried item by item", async () => {
  const batches: number[][] = [];
  let release: () => void = () => {};
  const first = new Promise<void>((r) => (release = r));
  const group = createGroupCommit<number, number>(async (batch) => {
    batches.push([...batch]);
    if (batches.length === 1) await first;
    if (batch.includes(3) && batch.length > 1) throw new Error("one bad item");
    if (batch.length === 1 && batch[0] === 3) throw new Error("item 3 is bad");
    return batch;
  });
  const a = group.submit(1);
  await new Promise((r) => setImmediate(r));
  const rest = [2, 3, 4].map((i) => group.submit(i));
  release();
  assert.equal(await a, 1);
  const settled = await Promise.allSettled(rest);
  assert.deepEqual(
    settled.map((s) => s.status),
    ["fulfilled", "rejected", "fulfilled"],
  );
  assert.deepEqual(batches, [[1], [2, 3, 4], [2], [3], [4]]);
});
