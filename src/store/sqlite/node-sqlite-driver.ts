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

const STATEMENT_CACHE_SIZE = 256;

/** node:sqlite binds null, numbers, bigints, strings and bytes; booleans become 0/1 on purpose. */
function toSqlite(value: unknown): SQLInputValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "string") return value;
  if (value instanceof Uint8Array) return value;
  throw new TypeError(`cannot bind a ${typeof value} to SQLite`);
}

/**
 * SQLite may roll a transaction back by itself when a statement fails with SQLITE_FULL,
 * SQLITE_IOERR, SQLITE_BUSY or SQLITE_NOMEM. The statements after that would run outside any
 * transaction, each committing on its own: half a change. So once a transaction we began is
 * gone, every further statement and the commit are refused with this (it carries the failure's
 * `errcode`, so the store reports it as that failure), and the rollback is a no-op.
 */
function transactionLost(cause: unknown): Error {
  const errcode = (cause as { errcode?: unknown } | undefined)?.errcode;
  return Object.assign(
    new Error("SQLite rolled this transaction back after a failed statement; nothing of it was kept", {
      cause,
    }),
    typeof errcode === "number" ? { errcode } : {},
  );
}

class NodeSqliteConnection implements DatabaseConnection {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  /** Between our BEGIN and COMMIT/ROLLBACK. */
  #inTransaction = false;
  /** The last statement failure inside the transaction (the likely reason SQLite ended it). */
  #lastFailure: unknown;

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

  begin(): void {
    this.#run("begin immediate");
    this.#inTransaction = true;
    this.#lastFailure = undefined;
  }

  commit(): void {
    if (this.#inTransaction && !this.#db.isTransaction) throw transactionLost(this.#lastFailure);
    this.#run("commit");
    this.#inTransaction = false;
  }

  rollback(): void {
    this.#inTransaction = false;
    // Already rolled back by SQLite itself: there is nothing left to undo.
    if (this.#db.isTransaction) this.#run("rollback");
  }

  #run(sql: string): void {
    this.#prepare(sql).run();
  }

  executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    if (this.#inTransaction && !this.#db.isTransaction)
      return Promise.reject(transactionLost(this.#lastFailure));
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
      if (this.#inTransaction) this.#lastFailure = error;
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
    (connection as NodeSqliteConnection).begin();
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as NodeSqliteConnection).commit();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as NodeSqliteConnection).rollback();
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
