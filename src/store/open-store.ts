/**
 * `openStore({ url })`: opens the database named by the URL, brings its schema up to date and
 * returns the repositories the domain folders declare.
 *
 * URLs:
 * - `sqlite:<path>` or `sqlite://<absolute path>`: one file (created 0600, parent 0700, WAL);
 *   `sqlite::memory:` for throw-away stores. `sqliteUrlForDataDir(dir)` names the default file.
 * - `postgres://` or `postgresql://` (anything `pg` accepts), plus an optional `schema=<name>`
 *   query parameter to work in a schema of its own (created if missing).
 */
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { type Dialect, Kysely, Migrator, sql } from "kysely";
import { type AuditRepository, deriveAuditChainKey } from "../audit/index.ts";
import type { AgentRepository, DirectoryRepository } from "../directory/index.ts";
import type { FederationRepository, IdentityProviderRepository } from "../federation/index.ts";
import type { RbacRepository } from "../rbac/index.ts";
import type { ResourceRepository } from "../resources/index.ts";
import type { ChangeLogReader } from "../shared/change-log.ts";
import { type DialectProfile, POSTGRES_PROFILE, SQLITE_PROFILE } from "./dialect-profile.ts";
import {
  StoreFullError,
  StoreInUseError,
  StoreMigrationError,
  StoreUnavailableError,
  StoreUrlError,
  StoreVersionError,
} from "./errors.ts";
import { lockChangeHead, sqlChangeLog } from "./lib/change-log.ts";
import { type StoreContext, withTransaction } from "./lib/context.ts";
import { withStoreFailures } from "./lib/store-failures.ts";
import { migrationContext } from "./migrations/context.ts";
import { MIGRATIONS } from "./migrations/index.ts";
import { type ChangeNotices, LocalCommits, postgresChangeNotices } from "./postgres/change-notices.ts";
import { analyzeTablesWithoutStatistics } from "./postgres/planner-statistics.ts";
import {
  createPostgresDialect,
  createPostgresPool,
  withAdvisoryLock,
  withMigrationLock,
} from "./postgres/postgres-dialect.ts";
import { sqlAgentRepository } from "./repositories/sql-agent-repository.ts";
import { sqlAuditRepository } from "./repositories/sql-audit-repository.ts";
import { sqlDirectoryRepository } from "./repositories/sql-directory-repository.ts";
import { sqlFederationRepository } from "./repositories/sql-federation-repository.ts";
import { sqlIdentityProviderRepository } from "./repositories/sql-identity-provider-repository.ts";
import { sqlRbacRepository } from "./repositories/sql-rbac-repository.ts";
import { sqlResourceRepository } from "./repositories/sql-resource-repository.ts";
import type { Database } from "./schema.ts";
import {
  checkKeyEncryptionKey,
  type SignInRepositories,
  signInRepositories,
} from "./sign-in-repositories.ts";
import { NodeSqliteDialect } from "./sqlite/node-sqlite-dialect.ts";

export interface StoreRepositories extends SignInRepositories {
  readonly directory: DirectoryRepository;
  readonly resources: ResourceRepository;
  readonly audit: AuditRepository;
  readonly rbac: RbacRepository;
  /** SCIM tokens and attributes, upstream identity providers (issue 13, migrations 0080-0089). */
  readonly federation: FederationRepository;
  /** Join codes and host agents' credentials (directory/agent-credentials.ts). */
  readonly agents: AgentRepository;
  /** Upstream OpenID Connect providers and bindings (migration 0081; secrets sealed with the KEK). */
  readonly identityProviders: IdentityProviderRepository;
  /** The change log every login-relevant write records into (shared/change-log.ts). */
  readonly changeLog: ChangeLogReader & {
    /**
     * Inside a transaction: takes the tenant's change-log head first, so a transaction that
     * records changes after other writes cannot deadlock with another (change-log.ts).
     */
    lock(tenantId: string): Promise<void>;
  };
}

export interface Store extends StoreRepositories {
  readonly dialect: DialectProfile["name"];
  /**
   * PostgreSQL: hears of every commit of change-log rows, by any process (LISTEN/NOTIFY), so
   * replicas follow each other at once. Absent on SQLite (one server per file: it polls).
   */
  readonly changeNotices?: ChangeNotices;
  /** Runs `work` in one transaction; every repository it receives writes in that transaction. */
  transaction<T>(work: (tx: StoreRepositories) => Promise<T>): Promise<T>;
  /**
   * Runs `work` while no other process runs work under the same name on this database
   * (PostgreSQL: a session advisory lock; SQLite: one server per file, so it just runs). For
   * steps of several transactions that replicas starting at once must not interleave (bootstrap).
   */
  exclusively<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** Names of the migrations applied to this database, oldest first. */
  appliedMigrations(): Promise<readonly string[]>;
  /** One trivial query (`select 1`): the database answers (`GET /health`); store errors as any query's. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  readonly url: string;
  /** 32 bytes kept outside the database; seals token-signing keys and TOTP seeds (sign-in-repositories.ts). */
  readonly keyEncryptionKey?: Uint8Array;
  /**
   * PostgreSQL: a pooled connection failed outside a query (the server restarted or went away).
   * The pool drops that connection and the next request opens a new one; this only reports it.
   */
  readonly onConnectionError?: (error: Error) => void;
  /** Most live pending sign-in states in `portalState` (default 100,000; tests lower it). */
  readonly maxPendingSignIns?: number;
  /**
   * PostgreSQL: ANALYZE the tables the server reads whole at start when they have rows but no
   * planner statistics (postgres/planner-statistics.ts); `hostpass server` asks for it.
   */
  readonly analyzeWithoutStatistics?: boolean;
}

export const SQLITE_FILE_NAME = "hostpass.db";
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** SQLite files open in this process (see StoreInUseError). */
const openFiles = new Set<string>();

export function sqliteUrlForDataDir(dataDir: string): string {
  return `sqlite:${join(resolve(dataDir), SQLITE_FILE_NAME)}`;
}

interface Target {
  readonly profile: DialectProfile;
  readonly dialect: Dialect;
  readonly schema?: string;
  readonly file?: string;
  /** Runs the migration so that concurrent openers of one database take turns. */
  readonly serialize: (work: () => Promise<void>) => Promise<void>;
  readonly changeNotices?: ChangeNotices;
  /** Told after each commit of this process that recorded change-log rows (the notices' local side). */
  readonly committed?: (versions: ReadonlyMap<string, number>) => void;
  readonly exclusively: <T>(name: string, work: () => Promise<T>) => Promise<T>;
}

/** SQLite needs no extra lock: migrations run in BEGIN IMMEDIATE transactions, one writer at a time. */
const unserialized = (work: () => Promise<void>) => work();

function target(url: string, onConnectionError: (error: Error) => void): Target {
  if (typeof url !== "string" || url.length === 0) throw new StoreUrlError("database URL is empty");
  if (url.startsWith("sqlite:")) {
    let path = url.slice("sqlite:".length);
    if (path.startsWith("//")) path = path.slice(2);
    if (path.length === 0 || path.includes("\0") || path.includes("?"))
      throw new StoreUrlError("sqlite URL needs a file path");
    if (path === ":memory:") {
      return {
        profile: SQLITE_PROFILE,
        dialect: new NodeSqliteDialect({ path }),
        serialize: unserialized,
        exclusively: (_name, work) => work(),
      };
    }
    const file = resolve(path);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    return {
      profile: SQLITE_PROFILE,
      dialect: new NodeSqliteDialect({ path: file }),
      file,
      serialize: unserialized,
      exclusively: (_name, work) => work(),
    };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (cause) {
      throw new StoreUrlError("PostgreSQL URL is not a valid URL", { cause });
    }
    const schema = parsed.searchParams.get("schema") ?? undefined;
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
      throw new StoreUrlError("schema must be a lower-case SQL identifier (a-z, 0-9, _)");
    }
    // Only touch the query when needed: re-serialising it may change how values are encoded.
    if (schema !== undefined) parsed.searchParams.delete("schema");
    const pg = { connectionString: parsed.toString(), ...(schema ? { schema } : {}) };
    const pool = createPostgresPool(pg);
    const localCommits = new LocalCommits();
    // Without these, a connection that PostgreSQL closes (a restart, an administrator's
    // pg_terminate_backend) emits 'error' with no listener and ends the process: idle ones on the
    // pool, checked-out ones on the client itself. The query in flight fails on its own.
    pool.on("error", onConnectionError);
    pool.on("connect", (client) => client.on("error", onConnectionError));
    return {
      profile: POSTGRES_PROFILE,
      dialect: createPostgresDialect(pool),
      ...(schema ? { schema } : {}),
      serialize: (work) => withMigrationLock(pg, work),
      changeNotices: postgresChangeNotices(pg, localCommits),
      committed: localCommits.committed,
      exclusively: (name, work) => withAdvisoryLock(pg, name, work),
    };
  }
  throw new StoreUrlError("database URL must start with sqlite: or postgres://");
}

const UNAVAILABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "28P01",
  "28000",
  "3D000",
  "57P03",
]);

function isUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && UNAVAILABLE.has(code);
}

async function migrate(db: Kysely<Database>, schema: string | undefined): Promise<void> {
  if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...MIGRATIONS }) },
    ...(schema ? { migrationTableSchema: schema } : {}),
    // Parts of hostpass own number ranges (0010-0019, 0040-0049, ...) and land in any order, so a
    // database may have 0040 before 0010 arrives. A migration this build does not know is still
    // refused (Kysely's missing-migration check), which is what ERR_STORE_VERSION reports.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (!error) return;
  if (error instanceof StoreFullError) throw error;
  if (isUnavailable(error))
    throw new StoreUnavailableError("the database cannot be reached", { cause: error });
  if (error instanceof Error && /corrupted migrations/.test(error.message)) {
    throw new StoreVersionError("the database was migrated by a newer hostpass; refusing to open it", {
      cause: error,
    });
  }
  const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
  throw new StoreMigrationError(`migration ${failed} failed; nothing of it was applied`, { cause: error });
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const kek = checkKeyEncryptionKey(options.keyEncryptionKey);
  // The activity log's chain is keyed from the KEK (audit/chain-key.ts); without one it can be
  // read but neither appended to nor verified.
  const chainKey = kek === undefined ? undefined : deriveAuditChainKey(kek);
  const t = target(options.url, options.onConnectionError ?? (() => {}));
  if (t.file !== undefined) {
    if (openFiles.has(t.file)) throw new StoreInUseError(`${t.file} is already open in this process`);
    openFiles.add(t.file);
  }
  const release = () => {
    if (t.file !== undefined) openFiles.delete(t.file);
  };
  // Lost connections, restarts and full disks reach callers as ERR_STORE_UNAVAILABLE / ERR_STORE_FULL.
  const db = new Kysely<Database>({ dialect: withStoreFailures(t.dialect, t.profile) });
  try {
    await migrationContext.run({ ...(chainKey ? { auditChainKey: chainKey } : {}) }, () =>
      t.serialize(() => migrate(db, t.schema)),
    );
  } catch (error) {
    release();
    await db.destroy();
    if (isUnavailable(error))
      throw new StoreUnavailableError("the database cannot be reached", { cause: error });
    throw error;
  }
  if (options.analyzeWithoutStatistics && t.profile.name === "postgres") {
    try {
      await analyzeTablesWithoutStatistics(db);
    } catch (error) {
      release();
      await db.destroy();
      throw error;
    }
  }
  if (t.file) {
    // The store holds password and secret hashes: owner-only, including WAL side files.
    for (const f of [t.file, `${t.file}-wal`, `${t.file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  }
  const ctx: StoreContext = {
    db,
    profile: t.profile,
    inTransaction: false,
    ...(t.committed ? { committed: t.committed } : {}),
  };
  const repositories = (c: StoreContext): StoreRepositories => ({
    directory: sqlDirectoryRepository(c),
    resources: sqlResourceRepository(c),
    audit: sqlAuditRepository(c, chainKey),
    rbac: sqlRbacRepository(c),
    federation: sqlFederationRepository(c),
    agents: sqlAgentRepository(c),
    identityProviders: sqlIdentityProviderRepository(c, kek),
    changeLog: { ...sqlChangeLog(c), lock: (tenantId) => lockChangeHead(c, tenantId) },
    ...signInRepositories(c, kek, options.maxPendingSignIns),
  });
  return {
    dialect: t.profile.name,
    ...(t.changeNotices ? { changeNotices: t.changeNotices } : {}),
    ...repositories(ctx),
    transaction: (work) => withTransaction(ctx, (tx) => work(repositories(tx))),
    exclusively: (name, work) => t.exclusively(name, work),
    async appliedMigrations() {
      const migrator = new Migrator({
        db,
        provider: { getMigrations: async () => ({ ...MIGRATIONS }) },
        ...(t.schema ? { migrationTableSchema: t.schema } : {}),
      });
      return (await migrator.getMigrations()).filter((m) => m.executedAt !== undefined).map((m) => m.name);
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
      release();
    },
  };
}
