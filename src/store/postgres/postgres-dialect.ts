/** Kysely's PostgresDialect over a `pg` pool configured for hostpass's column types. */
import { PostgresDialect } from "kysely";
import pg from "pg";

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

export function createPostgresDialect(pool: pg.Pool): PostgresDialect {
  return new PostgresDialect({ pool });
}
