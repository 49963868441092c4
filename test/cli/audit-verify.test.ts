/** `hostpass audit verify` on a real SQLite store: a clean chain passes, an edited row exits 9. */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import { appendAuditEvent } from "../../src/audit/index.ts";
import { loadOrCreateKek } from "../../src/server/keys/kek.ts";
import { openStore, sqliteUrlForDataDir } from "../../src/store/index.ts";
import { runCliCaptured } from "../helpers/cli.ts";

const verify = (dataDir: string, ...extra: string[]) =>
  runCliCaptured(["audit", "verify", "--data-dir", dataDir, ...extra], { ...process.env, HOSTPASS_KEK: "" });

test("audit verify passes a clean chain and names an edited row (exit 9)", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "hostpass-audit-verify-"));
  try {
    const store = await openStore({
      url: sqliteUrlForDataDir(dataDir),
      keyEncryptionKey: await loadOrCreateKek(dataDir, {}),
    });
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
    const report = JSON.parse(clean.out);
    assert.equal(report.ok, true);
    // The head it printed is a checkpoint a later run can insist on.
    const checkpoint = `${report.headSeq}:${report.headHash}`;
    assert.equal((await verify(dataDir, "--expect-head", checkpoint)).code, 0);
    const unknown = await verify(dataDir, "--expect-head", `${report.headSeq}:${"0".repeat(64)}`);
    assert.equal(unknown.code, 9);
    assert.match(unknown.out, /checkpoint_missing/);
    assert.equal((await verify(dataDir, "--expect-head", "five:abc")).code, 2);
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

test("audit verify needs the server's key-encryption key: without it, nothing is called intact", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "hostpass-audit-verify-"));
  try {
    const store = await openStore({
      url: sqliteUrlForDataDir(dataDir),
      keyEncryptionKey: await loadOrCreateKek(dataDir, {}),
    });
    await appendAuditEvent(store.audit, {
      tenantId: "t1",
      actor: "a",
      action: "x",
      target: "y",
      result: "success",
    });
    await store.close();
    await rm(join(dataDir, "keys", "kek"));
    const run = await verify(dataDir);
    assert.notEqual(run.code, 0);
    assert.match(run.err, /ERR_SERVER_STATE.*key-encryption key/);
    // Another key does not verify it either.
    const other = await runCliCaptured(["audit", "verify", "--data-dir", dataDir], {
      ...process.env,
      HOSTPASS_KEK: Buffer.alloc(32, 9).toString("base64"),
    });
    assert.equal(other.code, 9);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
