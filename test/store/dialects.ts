/**
 * Runs a store test suite on every dialect: SQLite (a file in a fresh temp dir) and the real
 * PostgreSQL (a fresh schema per store, dropped afterwards). `HOSTPASS_TEST_DIALECTS=sqlite`
 * narrows the list; otherwise PostgreSQL must be reachable (trust auth on 127.0.0.1:5432,
 * database `test`, override with `HOSTPASS_TEST_PG_URL`).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import pg from "pg";
import { openStore, type Store } from "../../src/store/index.ts";

export const DIALECTS = ["sqlite", "postgres"] as const;
export type DialectName = (typeof DIALECTS)[number];

/**
 * The key-encryption key of the stores tests open (the activity log's chain is keyed from it);
 * tests of sealed keys and of a wrong key open with their own.
 */
export const TEST_KEK = new Uint8Array(32).fill(7);

export const PG_URL = process.env.HOSTPASS_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export function selectedDialects(): readonly DialectName[] {
  const only = process.env.HOSTPASS_TEST_DIALECTS?.split(",").map((s) => s.trim());
  return DIALECTS.filter((d) => !only || only.includes(d));
}

/** A database location that can be opened several times (to test reopening) and then removed. */
export interface TestDatabase {
  readonly dialect: DialectName;
  readonly url: string;
  open(): Promise<Store>;
  /** Runs raw SQL outside the store (to tamper with rows, inspect pragmas). */
  raw(statement: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

export function createTestDatabase(dialect: DialectName): TestDatabase {
  if (dialect === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "hostpass-store-"));
    const file = join(dir, "data", "hostpass.db");
    return {
      dialect,
      url: `sqlite:${file}`,
      open: () => openStore({ url: `sqlite:${file}`, keyEncryptionKey: TEST_KEK }),
      async raw(statement, params = []) {
        const db = new DatabaseSync(file);
        try {
          const stmt = db.prepare(statement);
          const values = params as never[];
          if (stmt.columns().length > 0) return stmt.all(...values) as Record<string, unknown>[];
          stmt.run(...values);
          return [];
        } finally {
          db.close();
        }
      },
      async drop() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `hp_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const url = `${PG_URL}?schema=${schema}`;
  const withClient = async <T>(work: (c: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    dialect,
    url,
    open: () => openStore({ url, keyEncryptionKey: TEST_KEK }),
    raw: (statement, params = []) =>
      withClient(async (c) => {
        let i = 0;
        // Tests write `?` placeholders for both dialects.
        const text = statement.replace(/\?/g, () => `$${++i}`);
        return (await c.query(text, [...params])).rows;
      }),
    drop: () => withClient(async (c) => void (await c.query(`drop schema if exists ${schema} cascade`))),
  };
}
