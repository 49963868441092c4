/**
 * PostgreSQL plans from statistics that only ANALYZE (or autovacuum's auto-analyze) collects. A
 * database restarted right after a bulk import (no ANALYZE yet, autovacuum perhaps off) has none
 * for the tables the server reads whole at start, and the planner's guesses for an empty table
 * turned the RBAC snapshot's keyset page (`tenant_id = $1 and id > $2 order by id limit N`) into a
 * bitmap scan and a sort per page: 538 s for 1,000,000 role assignments. So at start, each of those
 * tables that has rows but no statistics (never analyzed, or analyzed while it was empty:
 * `pg_class.reltuples` -1 or 0) is analyzed first; a table with statistics is left to autovacuum.
 */
import { type Kysely, sql } from "kysely";
import type { Database } from "../schema.ts";

/** What the server reads whole at start: the RBAC snapshot, its decision graph, the change log. */
export const STARTUP_TABLES: readonly string[] = Object.freeze([
  "role_assignments",
  "role_definitions",
  "group_members",
  "principals",
  "resources",
  "change_log",
]);

/** ANALYZEs the tables of `tables` (in the search path's first schema) that have rows but no statistics; answers them. */
export async function analyzeTablesWithoutStatistics(
  db: Kysely<Database>,
  tables = STARTUP_TABLES,
): Promise<string[]> {
  const found = await sql<{ name: string; reltuples: number; analyzed: boolean }>`
    select c.relname as name, c.reltuples::float8 as reltuples,
           (s.last_analyze is not null or s.last_autoanalyze is not null) as analyzed
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    left join pg_catalog.pg_stat_user_tables s on s.relid = c.oid
    where n.nspname = current_schema() and c.relkind = 'r' and c.relname = any(${[...tables]})
    order by c.relname`.execute(db);
  const analyzed: string[] = [];
  for (const t of found.rows) {
    if (t.analyzed && t.reltuples > 0) continue;
    const rows = await sql<{
      any: boolean;
    }>`select exists (select 1 from ${sql.table(t.name)}) as any`.execute(db);
    if (!rows.rows[0]?.any) continue; // nothing to describe yet
    await sql`analyze ${sql.table(t.name)}`.execute(db);
    analyzed.push(t.name);
  }
  return analyzed;
}
