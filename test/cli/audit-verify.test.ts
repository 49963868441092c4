/** `hostpass audit verify` on a real SQLite store: a clean chain passes, an edited row exits 9. */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import { appendAuditEvent } from "../../src/audit/index.ts";
import { openStore, sqliteUrlForDataDir } from "../../src/store/index.ts";
import { runCliCaptured } from "../helpers/cli.ts";

const verify = (dataDir: string) => runCliCaptured(["audit", "verify", "--data-dir", dataDir]);

test("audit verify passes a clean chain and names an edited row (exit 9)", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "hostpass-audit-verify-"));
  try {
    const store = await openStore({ url: sqliteUrlForDataDir(dataDir) });
    for (let i = 0; i < 5; i++) {
      await appendAuditEvent(store.audit, {
        tenantId: "t1",
        actor: "admin",
        action: "Directory/users/write",
        target: `/users/${i}`,
        result: "success",
      });
    }
    await store.close();
    const clean = await verify(dataDir);
    assert.equal(clean.code, 0, clean.err);
    assert.equal(JSON.parse(clean.out).ok, true);
    const file = sqliteUrlForDataDir(dataDir).replace(/^sqlite:/, "");
    const db = new DatabaseSync(file);
    db.prepare("update audit_events set actor = 'mallory' where seq = 3").run();
    db.close();
    const tampered = await verify(dataDir);
    assert.equal(tampered.code, 9);
    assert.match(tampered.err, /ERR_AUDIT_CHAIN_BROKEN/);
    assert.deepEqual(
      JSON.parse(tampered.out).problems.map((p: { seq: number; problem: string }) => [p.seq, p.problem]),
      [[3, "edited"]],
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
