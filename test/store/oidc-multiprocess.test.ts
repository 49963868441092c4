/**
 * Atomic consume and insert-if-absent across processes (replicas) on both dialects: on SQLite a
 * second process is the only way to get a second connection to one file.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { describe, it } from "node:test";
import { createTestDatabase, selectedDialects } from "./dialects.ts";

const STORE_MODULE = new URL("../../src/store/index.ts", import.meta.url).href;

/** Each child waits for a common start time, then races for the code and the jti 20 times. */
const SCRIPT = `import { openStore } from ${JSON.stringify(STORE_MODULE)};
const store = await openStore({ url: process.argv[1] });
await new Promise((r) => setTimeout(r, Number(process.argv[2]) - Date.now()));
const tries = Array.from({ length: 20 }, () => [
  store.oidc.consume("AuthorizationCode", "shared-code"),
  store.oidc.insertIfAbsent("ReplayDetection", "shared-jti", {}, 60),
]).flat();
const results = await Promise.all(tries);
console.log(JSON.stringify({
  consumed: results.filter((r, i) => r && i % 2 === 0).length,
  inserted: results.filter((r, i) => r && i % 2 === 1).length,
}));
await store.close();`;

function child(url: string, startAt: number): Promise<{ consumed: number; inserted: number }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", SCRIPT, url, String(startAt)],
      { timeout: 60_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout.trim())),
    );
  });
}

for (const dialect of selectedDialects()) {
  describe(`oidc storage across processes on ${dialect}`, () => {
    it("lets exactly one process consume a code and insert a jti", async () => {
      const database = createTestDatabase(dialect);
      try {
        const store = await database.open();
        await store.oidc.upsert("AuthorizationCode", "shared-code", { grantId: "g" }, 60);
        await store.close();
        const startAt = Date.now() + 5000;
        const outcomes = await Promise.all([1, 2, 3, 4].map(() => child(database.url, startAt)));
        assert.equal(
          outcomes.reduce((n, o) => n + o.consumed, 0),
          1,
          JSON.stringify(outcomes),
        );
        assert.equal(
          outcomes.reduce((n, o) => n + o.inserted, 0),
          1,
          JSON.stringify(outcomes),
        );
      } finally {
        await database.drop();
      }
    });
  });
}
