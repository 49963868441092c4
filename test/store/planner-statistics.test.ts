/**
 * A PostgreSQL restarted right after a bulk import has no planner statistics for the tables the
 * server reads whole at start (the RBAC snapshot's keyset pages were planned as a bitmap scan and
 * a sort: 538 s at 1,000,000 assignments). At start the store analyzes each such table that has
 * rows but no statistics (never analyzed, or analyzed while empty), and leaves one with statistics
 * alone. Real PostgreSQL; autovacuum is switched off for the table so it cannot do it first.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTenant } from "../../src/directory/index.ts";
import { openStore } from "../../src/store/index.ts";
import { createTestDatabase, TEST_KEK, type TestDatabase } from "./dialects.ts";

const ROWS = 3000;

describe("PostgreSQL: planner statistics for the start-up tables (real PostgreSQL)", () => {
  let db: TestDatabase;
  let tenantId: string;

  const stats = async () => {
    const [row] = await db.raw(
      `select c.reltuples::float8 as reltuples, s.last_analyze, s.last_autoanalyze
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       left join pg_stat_user_tables s on s.relid = c.oid
       where n.nspname = current_schema() and c.relname = 'role_assignments'`,
    );
    return row as { reltuples: number; last_analyze: Date | null; last_autoanalyze: Date | null };
  };
  /** `hostpass server`'s open of the store (it asks for the analysis), then closed. */
  const start = async (analyze = true) =>
    (await openStore({ url: db.url, keyEncryptionKey: TEST_KEK, analyzeWithoutStatistics: analyze })).close();
  /** A bulk import: `ROWS` role assignments written straight into the table. */
  const bulkImport = () =>
    db.raw(
      `insert into role_assignments (id, tenant_id, role_definition_id, principal_id, principal_type,
         scope, scope_key, description, created_at, created_by)
       select md5(random()::text || g::text), ?, 'acdd72a7-3385-48ef-bd42-f606fba81ae7', md5(g::text),
         'User', '/', '/', '', '2026-01-01T00:00:00.000Z', 'bulk'
       from generate_series(1, ${ROWS}) g`,
      [tenantId],
    );

  before(async () => {
    db = createTestDatabase("postgres");
    const store = await db.open();
    try {
      tenantId = (await createTenant(store.directory, { name: "stats", displayName: "Stats" })).id;
    } finally {
      await store.close();
    }
    await db.raw("alter table role_assignments set (autovacuum_enabled = false)");
  });
  after(() => db?.drop());

  it("never analyzed, with rows: analyzed at start; with statistics: left alone", async () => {
    await bulkImport();
    const before = await stats();
    assert.equal(before.last_analyze, null, "no statistics after the import");
    assert.equal(before.last_autoanalyze, null);
    assert.ok(before.reltuples <= 0, `reltuples ${before.reltuples}`);
    await start(false);
    assert.equal((await stats()).last_analyze, null, "control: an open that does not ask analyzes nothing");
    await start();
    const afterStart = await stats();
    assert.ok(afterStart.last_analyze !== null, "statistics after the start");
    assert.ok(afterStart.reltuples >= ROWS * 0.9, `reltuples ${afterStart.reltuples}`);
    await start();
    assert.deepEqual((await stats()).last_analyze, afterStart.last_analyze, "statistics present: not again");
  });

  it("analyzed while empty, then a bulk import: analyzed again at start", async () => {
    await db.raw("delete from role_assignments");
    await db.raw("analyze role_assignments");
    const empty = await stats();
    assert.equal(empty.reltuples, 0);
    await bulkImport();
    await start();
    const afterStart = await stats();
    assert.ok(afterStart.reltuples >= ROWS * 0.9, `reltuples ${afterStart.reltuples}`);
    assert.ok(afterStart.last_analyze !== null && empty.last_analyze !== null);
    assert.ok(afterStart.last_analyze > empty.last_analyze);
  });
});
