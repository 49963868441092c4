/**
 * What a migration may need beyond the database: the activity log's chain key (migration 0061
 * keys an old log with it). `openStore` runs the migrator inside `migrationContext.run`; a
 * migration reads it with `getStore()`. Absent when the store is opened without a key-encryption key.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { AuditChainKey } from "../../audit/index.ts";

export interface MigrationContext {
  readonly auditChainKey?: AuditChainKey;
}

export const migrationContext = new AsyncLocalStorage<MigrationContext>();
