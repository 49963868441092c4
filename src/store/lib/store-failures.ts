/**
 * The database's own failures under the store's stable codes (issue 11 items 11 and 12).
 *
 * Every driver call (connect, query, begin, commit, rollback) goes through `withStoreFailures`,
 * which turns the failures that mean "the database cannot take this now" into:
 *
 * - `StoreUnavailableError` (`ERR_STORE_UNAVAILABLE`): PostgreSQL unreachable, restarting or
 *   shutting down, a connection lost mid-request (class 08, 57P01-57P03, refused or reset
 *   sockets, pg's "Connection terminated"); SQLite I/O errors (SQLITE_IOERR*);
 * - `StoreFullError` (`ERR_STORE_FULL`): no space left (SQLITE_FULL, PostgreSQL 53100).
 *
 * Both are kind `unavailable` (HTTP 503): the caller may try again, and nothing of the failed
 * transaction was kept (a commit cut off by a lost connection is the one case whose outcome the
 * caller cannot know; the store then holds all of it or none of it). Every other error (unique
 * and foreign-key violations, serialisation failures) passes through unchanged, so the
 * repositories' own classification (`classifyDbError`) still sees the driver's codes.
 */
import type {
  CompiledQuery,
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from "kysely";
import type { DialectProfile } from "../dialect-profile.ts";
import { StoreFullError, StoreUnavailableError } from "../errors.ts";

const SQLITE_IOERR = 10;
const SQLITE_FULL = 13;

const PG_UNAVAILABLE_CODES = new Set([
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, shutting down)
  "53300", // too_many_connections
]);
const NET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND"]);
const PG_LOST =
  /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout expired)/;

/** The store's error for a driver failure that means "not now", or undefined for any other failure. */
export function storeFailure(profile: DialectProfile, error: unknown): Error | undefined {
  if (error instanceof StoreUnavailableError || error instanceof StoreFullError) return error;
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as { code?: unknown; errcode?: unknown; message?: unknown };
  if (profile.name === "sqlite") {
    if (typeof e.errcode !== "number") return undefined;
    const primary = e.errcode & 0xff;
    if (primary === SQLITE_FULL) return new StoreFullError("the database's disk is full", { cause: error });
    if (primary === SQLITE_IOERR)
      return new StoreUnavailableError("the database file cannot be read or written", { cause: error });
    return undefined;
  }
  const code = typeof e.code === "string" ? e.code : undefined;
  if (code === "53100") return new StoreFullError("the database's disk is full", { cause: error });
  if (
    (code !== undefined &&
      (PG_UNAVAILABLE_CODES.has(code) || NET_CODES.has(code) || code.startsWith("08"))) ||
    (typeof e.message === "string" && PG_LOST.test(e.message))
  )
    return new StoreUnavailableError("the database cannot be reached", { cause: error });
  return undefined;
}

function mapped<T>(profile: DialectProfile, call: () => Promise<T>): Promise<T> {
  return call().catch((error: unknown) => {
    throw storeFailure(profile, error) ?? error;
  });
}

class MappedConnection implements DatabaseConnection {
  readonly inner: DatabaseConnection;
  readonly #profile: DialectProfile;

  constructor(inner: DatabaseConnection, profile: DialectProfile) {
    this.inner = inner;
    this.#profile = profile;
  }

  executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    return mapped(this.#profile, () => this.inner.executeQuery<R>(compiled));
  }

  async *streamQuery<R>(compiled: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(compiled, chunkSize);
    } catch (error) {
      throw storeFailure(this.#profile, error) ?? error;
    }
  }
}

const innerOf = (c: DatabaseConnection) => (c instanceof MappedConnection ? c.inner : c);

class MappedDriver implements Driver {
  readonly #inner: Driver;
  readonly #profile: DialectProfile;

  constructor(inner: Driver, profile: DialectProfile) {
    this.#inner = inner;
    this.#profile = profile;
  }

  init(): Promise<void> {
    return mapped(this.#profile, () => this.#inner.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new MappedConnection(
      await mapped(this.#profile, () => this.#inner.acquireConnection()),
      this.#profile,
    );
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return mapped(this.#profile, () => this.#inner.beginTransaction(innerOf(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return mapped(this.#profile, () => this.#inner.commitTransaction(innerOf(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return mapped(this.#profile, () => this.#inner.rollbackTransaction(innerOf(connection)));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(innerOf(connection));
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}

/** `dialect` with every driver failure passed through `storeFailure`. */
export function withStoreFailures(dialect: Dialect, profile: DialectProfile): Dialect {
  return {
    createDriver: (): Driver => new MappedDriver(dialect.createDriver(), profile),
    createQueryCompiler: (): QueryCompiler => dialect.createQueryCompiler(),
    createAdapter: (): DialectAdapter => dialect.createAdapter(),
    // biome-ignore lint/suspicious/noExplicitAny: Kysely's own dialects type the introspector's db as Kysely<any>.
    createIntrospector: (db: Kysely<any>): DatabaseIntrospector => dialect.createIntrospector(db),
  };
}
