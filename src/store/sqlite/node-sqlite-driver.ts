/**
 * A Kysely driver over Node's built-in `node:sqlite` (`DatabaseSync`).
 *
 * Kysely ships no driver for node:sqlite, and its own SqliteDriver expects better-sqlite3's
 * statement shape (`reader`, array parameters). This one is deliberately small: one connection
 * guarded by a promise mutex (SQLite has one writer anyway), a bounded prepared-statement cache,
 * and `BEGIN IMMEDIATE` so a transaction takes the write lock up front instead of failing with
 * SQLITE_BUSY when it upgrades from a read (another process may share the file).
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import type { CompiledQuery, DatabaseConnection, Driver, QueryResult } from "kysely";
import { CompiledQuery as Compiled } from "kysely";

const STATEMENT_CACHE_SIZE = 256;

/** node:sqlite binds null, numbers, bigints, strings and bytes; booleans become 0/1 on purpose. */
function toSqlite(value: unknown): SQLInputValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "string") return value;
  if (value instanceof Uint8Array) return value;
  throw new TypeError(`cannot bind a ${typeof value} to SQLite`);
}

class NodeSqliteConnection implements DatabaseConnection {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  #prepare(sql: string): StatementSync {
    let stmt = this.#statements.get(sql);
    if (stmt) {
      // Refresh the entry so the cache evicts the least recently used statement.
      this.#statements.delete(sql);
    } else {
      stmt = this.#db.prepare(sql);
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.#statements.keys().next().value;
        if (oldest !== undefined) this.#statements.delete(oldest);
      }
    }
    this.#statements.set(sql, stmt);
    return stmt;
  }

  executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    try {
      const stmt = this.#prepare(compiled.sql);
      const params = compiled.parameters.map(toSqlite);
      // A statement that yields columns (SELECT, or anything with RETURNING) is read with all().
      if (stmt.columns().length > 0) {
        return Promise.resolve({ rows: stmt.all(...params) as R[] });
      }
      const { changes, lastInsertRowid } = stmt.run(...params);
      return Promise.resolve({
        numAffectedRows: BigInt(changes),
        insertId: BigInt(lastInsertRowid),
        rows: [],
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const stmt = this.#prepare(compiled.sql);
    for (const row of stmt.iterate(...compiled.parameters.map(toSqlite))) {
      yield { rows: [row as R] };
    }
  }
}

/** A FIFO lock: SQLite has a single connection, so callers queue for it. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;

  async lock(): Promise<void> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    this.#release = release;
  }

  unlock(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
}

export class NodeSqliteDriver implements Driver {
  readonly #open: () => DatabaseSync;
  readonly #mutex = new Mutex();
  #db: DatabaseSync | undefined;
  #connection: NodeSqliteConnection | undefined;

  constructor(open: () => DatabaseSync) {
    this.#open = open;
  }

  async init(): Promise<void> {
    this.#db = this.#open();
    this.#connection = new NodeSqliteConnection(this.#db);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#mutex.lock();
    if (!this.#connection) throw new TypeError("driver used before init() or after destroy()");
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(Compiled.raw("begin immediate"));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(Compiled.raw("commit"));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(Compiled.raw("rollback"));
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock();
  }

  async destroy(): Promise<void> {
    this.#connection = undefined;
    const db = this.#db;
    this.#db = undefined;
    if (db?.isOpen) db.close();
  }
}
