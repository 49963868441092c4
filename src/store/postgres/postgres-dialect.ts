/** Kysely's PostgresDialect over a `pg` pool configured for hostpass's column types. */
import { type DatabaseIntrospector, type Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { SearchPathIntrospector } from "./search-path-introspector.ts";

const INT8_OID = 20;

/**
 * `pg` returns int8 as strings to avoid precision loss. Our int8 columns are epoch
 * milliseconds and POSIX ids, all far below 2^53, so we parse them to numbers and refuse
 * anything that is not a safe integer rather than round it silently.
 */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${text} is outside the safe integer range`);
  return n;
}

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID && format !== "binary"
      ? parseInt8
      : pg.types.getTypeParser(oid, format ?? "text")) as pg.CustomTypesConfig["getTypeParser"],
};

export interface PostgresOptions {
  readonly connectionString: string;
  /** A schema to work in (created if missing); lets test runs and tenants of a cluster coexist. */
  readonly schema?: string;
  readonly maxConnections?: number;
}

export function createPostgresPool(options: PostgresOptions): pg.Pool {
  return new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    types,
    // search_path is set per connection so every pooled client sees the same schema.
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
}

/** Kysely's dialect with an introspector limited to the search path (see search-path-introspector.ts). */
class SearchPathPostgresDialect extends PostgresDialect {
  // biome-ignore lint/suspicious/noExplicitAny: Kysely types the introspector's db as Kysely<any>.
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SearchPathIntrospector(db);
  }
}

export function createPostgresDialect(pool: pg.Pool): PostgresDialect {
  return new SearchPathPostgresDialect({ pool });
}

/**
 * Runs `work` while holding a session advisory lock on a connection of its own, so processes
 * opening one fresh database at once migrate it one after the other. (PostgreSQL's
 * `CREATE ... IF NOT EXISTS` is not safe against a concurrent creator: it fails on the catalog's
 * unique index instead of waiting.)
 */
export async function withMigrationLock<T>(options: PostgresOptions, work: () => Promise<T>): Promise<T> {
  return withAdvisoryLock(options, "migrate", work);
}

/** Runs `work` while this process holds the schema's session advisory lock named `name`. */
export async function withAdvisoryLock<T>(
  options: PostgresOptions,
  name: string,
  work: () => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: options.connectionString });
  // A connection lost meanwhile (a database restart) releases the lock; it must not end the process.
  client.on("error", () => {});
  await client.connect();
  try {
    const key = `hostpass.${name}.${options.schema ?? "public"}`;
    await client.query("select pg_advisory_lock(hashtext($1))", [key]);
    return await work();
  } finally {
    // Ending the session releases the lock even if unlocking was never reached.
    await client.end();
  }
}
