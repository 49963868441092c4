/** Kysely dialect for `node:sqlite`: Kysely's SQLite compiler, adapter and introspector over our driver. */
import { DatabaseSync } from "node:sqlite";
import {
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from "kysely";
import { NodeSqliteDriver } from "./node-sqlite-driver.ts";

export interface NodeSqliteDialectOptions {
  /** A file path, or `:memory:`. */
  readonly path: string;
  /** How long a writer waits for another process's lock before SQLITE_BUSY, in ms. */
  readonly busyTimeoutMs?: number;
}

/** Opens the file with the pragmas hostpass relies on: WAL, foreign keys, a busy timeout. */
export function openSqliteDatabase(options: NodeSqliteDialectOptions): DatabaseSync {
  const db = new DatabaseSync(options.path, {
    enableForeignKeyConstraints: true,
    timeout: options.busyTimeoutMs ?? 5000,
  });
  try {
    if (options.path !== ":memory:") db.exec("pragma journal_mode = wal");
    // NORMAL is durable under WAL except for the last commits on power loss, the documented trade-off.
    db.exec("pragma synchronous = normal");
    db.exec("pragma foreign_keys = on");
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * SQLite does run DDL inside transactions; Kysely's adapter says otherwise only because some
 * drivers cannot. Ours can, so migrations are all-or-nothing on both dialects.
 */
class NodeSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

export class NodeSqliteDialect implements Dialect {
  readonly #options: NodeSqliteDialectOptions;

  constructor(options: NodeSqliteDialectOptions) {
    this.#options = Object.freeze({ ...options });
  }

  createDriver(): Driver {
    return new NodeSqliteDriver(() => openSqliteDatabase(this.#options));
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new NodeSqliteAdapter();
  }

  // biome-ignore lint/suspicious/noExplicitAny: Kysely's own dialects type the introspector's db as Kysely<any>.
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
