/**
 * Bulk seeding for the benchmarks' large tenants: rows written straight into the store's tables
 * (SQLite file or PostgreSQL schema), many rows per statement, in one transaction per table, so
 * 1,000,000 role assignments take seconds instead of the hours one API call (or one repository
 * transaction) each would. Rows written here bypass the change log on purpose: a server (or an
 * RBAC engine) opened afterwards reads them from its snapshot, exactly as after a restart.
 *
 * The column lists follow src/store/schema.ts; a typo fails at once (unknown column).
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import pg from "pg";

export type Row = readonly (string | number | boolean | null)[];

export interface BulkWriter {
  readonly dialect: "sqlite" | "postgres";
  /** Inserts the rows (each in `columns` order) in one transaction; answers how many. */
  insert(table: string, columns: readonly string[], rows: Iterable<Row>): Promise<number>;
  /** One statement (`?` placeholders on both dialects); answers the rows it returned. */
  query(statement: string, params?: Row): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Below SQLite's 32,766 and PostgreSQL's 65,535 bound parameters per statement. */
const MAX_PARAMS = 30_000;

function batches(rows: Iterable<Row>, width: number): Iterable<Row[]> {
  const size = Math.max(1, Math.floor(MAX_PARAMS / width));
  return {
    *[Symbol.iterator]() {
      let batch: Row[] = [];
      for (const r of rows) {
        if (r.length !== width) throw new TypeError(`a row of ${r.length} values for ${width} columns`);
        batch.push(r);
        if (batch.length === size) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    },
  };
}

function insertSql(table: string, columns: readonly string[], n: number, dollar: boolean): string {
  let i = 0;
  const one = () => `(${columns.map(() => (dollar ? `$${++i}` : "?")).join(",")})`;
  return `insert into ${table} (${columns.join(",")}) values ${Array.from({ length: n }, one).join(",")}`;
}

/** Opens a bulk writer on the store at `url` (`sqlite:<file>` or `postgres://…[?schema=name]`). */
export async function openBulkWriter(url: string): Promise<BulkWriter> {
  if (url.startsWith("sqlite:")) return sqliteWriter(url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, ""));
  return postgresWriter(url);
}

function sqliteWriter(file: string): BulkWriter {
  const db = new DatabaseSync(file);
  db.exec("pragma busy_timeout = 10000");
  const bind = (r: Row): SQLInputValue[] => r.map((v) => (typeof v === "boolean" ? (v ? 1 : 0) : v));
  return {
    dialect: "sqlite",
    async insert(table, columns, rows) {
      let n = 0;
      const statements = new Map<number, ReturnType<DatabaseSync["prepare"]>>();
      db.exec("begin immediate");
      try {
        for (const batch of batches(rows, columns.length)) {
          let stmt = statements.get(batch.length);
          if (stmt === undefined) {
            stmt = db.prepare(insertSql(table, columns, batch.length, false));
            statements.set(batch.length, stmt);
          }
          stmt.run(...batch.flatMap(bind));
          n += batch.length;
        }
        db.exec("commit");
      } catch (error) {
        db.exec("rollback");
        throw error;
      }
      return n;
    },
    async query(statement, params = []) {
      const stmt = db.prepare(statement);
      const values = params.map((v) => (typeof v === "boolean" ? (v ? 1 : 0) : v));
      if (stmt.columns().length > 0) return stmt.all(...values) as Record<string, unknown>[];
      stmt.run(...values);
      return [];
    },
    async close() {
      db.close();
    },
  };
}

async function postgresWriter(url: string): Promise<BulkWriter> {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema");
  parsed.searchParams.delete("schema");
  const client = new pg.Client({
    connectionString: parsed.toString(),
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  await client.connect();
  return {
    dialect: "postgres",
    async insert(table, columns, rows) {
      let n = 0;
      await client.query("begin");
      try {
        for (const batch of batches(rows, columns.length)) {
          await client.query({
            text: insertSql(table, columns, batch.length, true),
            values: batch.flat(),
          });
          n += batch.length;
        }
        await client.query("commit");
      } catch (error) {
        await client.query("rollback");
        throw error;
      }
      return n;
    },
    async query(statement, params = []) {
      let i = 0;
      const text = statement.replace(/\?/g, () => `$${++i}`);
      return (await client.query(text, [...params])).rows;
    },
    async close() {
      await client.end();
    },
  };
}
