import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Kysely, sql } from "kysely";
import { NodeSqliteDialect } from "./node-sqlite-dialect.ts";

interface Db {
  t: { id: number; flag: boolean | number; name: string };
}

async function withDb(work: (db: Kysely<Db>) => Promise<void>): Promise<void> {
  const db = new Kysely<Db>({ dialect: new NodeSqliteDialect({ path: ":memory:" }) });
  try {
    await sql`create table t (id integer primary key, flag boolean not null, name text not null)`.execute(db);
    await work(db);
  } finally {
    await db.destroy();
  }
}

describe("NodeSqliteDialect", () => {
  it("binds booleans as 0/1, returns RETURNING rows and counts changes", async () => {
    await withDb(async (db) => {
      const inserted = await db
        .insertInto("t")
        .values({ id: 1, flag: true, name: "a'; drop table t;--" })
        .returning(["id", "name"])
        .execute();
      // node:sqlite rows have a null prototype; compare their contents.
      assert.deepEqual(
        inserted.map((r) => ({ ...r })),
        [{ id: 1, name: "a'; drop table t;--" }],
      );
      const r = await db.updateTable("t").set({ flag: false }).where("id", "=", 1).executeTakeFirst();
      assert.equal(r.numUpdatedRows, 1n);
      assert.deepEqual(
        (await db.selectFrom("t").select("flag").execute()).map((r) => ({ ...r })),
        [{ flag: 0 }],
      );
    });
  });

  it("a transaction SQLite ended itself (disk full) keeps nothing, even when the caller carries on", async () => {
    await withDb(async (db) => {
      // A database that cannot grow past 30 pages: SQLITE_FULL, and SQLite rolls the whole transaction back.
      await sql`pragma max_page_count = 30`.execute(db);
      const failures: unknown[] = [];
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await trx.insertInto("t").values({ id: 1, flag: true, name: "first" }).execute();
          try {
            for (let i = 2; i < 200; i++)
              await trx
                .insertInto("t")
                .values({ id: i, flag: true, name: "x".repeat(4000) })
                .execute();
          } catch (error) {
            failures.push(error);
          }
          // Code that swallowed the failure and goes on must not write outside the transaction.
          await trx.insertInto("t").values({ id: 1000, flag: false, name: "after" }).execute();
        }),
        (error: { errcode?: number }) => error.errcode === 13,
      );
      assert.equal((failures[0] as { errcode?: number }).errcode, 13);
      assert.deepEqual(await db.selectFrom("t").select("id").execute(), []);
      // The connection is usable again once space is back.
      await sql`pragma max_page_count = 100000`.execute(db);
      await db.insertInto("t").values({ id: 1, flag: true, name: "ok" }).execute();
      assert.equal((await db.selectFrom("t").select("id").execute()).length, 1);
    });
  });

  it("rolls a failed transaction back and serialises concurrent ones", async () => {
    await withDb(async (db) => {
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await trx.insertInto("t").values({ id: 1, flag: true, name: "x" }).execute();
          throw new Error("abort");
        }),
      );
      assert.equal((await db.selectFrom("t").selectAll().execute()).length, 0);
      // Read-modify-write in 20 concurrent transactions: no lost updates.
      await db.insertInto("t").values({ id: 1, flag: true, name: "0" }).execute();
      await Promise.all(
        Array.from({ length: 20 }, () =>
          db.transaction().execute(async (trx) => {
            const row = await trx
              .selectFrom("t")
              .select("name")
              .where("id", "=", 1)
              .executeTakeFirstOrThrow();
            await new Promise((r) => setImmediate(r));
            await trx
              .updateTable("t")
              .set({ name: String(Number(row.name) + 1) })
              .where("id", "=", 1)
              .execute();
          }),
        ),
      );
      assert.equal((await db.selectFrom("t").select("name").executeTakeFirstOrThrow()).name, "20");
    });
  });

  it("keeps working past the prepared-statement cache size", async () => {
    await withDb(async (db) => {
      for (let i = 0; i < 300; i++) await sql.raw(`select ${i} as n`).execute(db);
      const r = await sql<{ n: number }>`select 7 as n`.execute(db);
      assert.equal(r.rows[0]?.n, 7);
    });
  });
});
