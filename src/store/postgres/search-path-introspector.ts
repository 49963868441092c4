/**
 * A Kysely introspector that looks only at the schemas on the search path.
 *
 * Kysely's PostgresIntrospector reads every column of every table in the database and resolves
 * each table by name (`pg_get_serial_sequence`), so it fails with 3F000 when another client
 * drops an unrelated schema mid-query, and grows slow with large catalogs. The migrator only
 * asks whether its own tables exist, so names are all we return (no columns).
 */
import {
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type Kysely,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from "kysely";

const KYSELY_TABLES = new Set(["kysely_migration", "kysely_migration_lock"]);

export class SearchPathIntrospector implements DatabaseIntrospector {
  // biome-ignore lint/suspicious/noExplicitAny: introspection runs below the typed schema.
  readonly #db: Kysely<any>;

  // biome-ignore lint/suspicious/noExplicitAny: as above.
  constructor(db: Kysely<any>) {
    this.#db = db;
  }

  async getSchemas(): Promise<SchemaMetadata[]> {
    const rows = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace`.execute(
      this.#db,
    );
    return rows.rows.map((r) => ({ name: r.name }));
  }

  async getTables(options = { withInternalKyselyTables: false }): Promise<TableMetadata[]> {
    const rows = await sql<{ schema: string; name: string; kind: string }>`
      select n.nspname as schema, c.relname as name, c.relkind as kind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'v', 'p') and n.nspname = any (current_schemas(false))
      order by n.nspname, c.relname`.execute(this.#db);
    return rows.rows
      .filter((r) => options.withInternalKyselyTables || !KYSELY_TABLES.has(r.name))
      .map((r) => ({ schema: r.schema, name: r.name, isView: r.kind === "v", columns: [] }));
  }

  async getMetadata(options?: { withInternalKyselyTables: boolean }): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) };
  }
}
