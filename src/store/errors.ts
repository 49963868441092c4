import { HostpassError } from "../shared/errors.ts";

/** Base of the failures the store itself reports (domain conflicts use the domain's errors). */
export abstract class StoreError extends HostpassError {}

/** The database URL is not one hostpass understands. */
export class StoreUrlError extends StoreError {
  static readonly code = "ERR_STORE_URL";
  readonly code = StoreUrlError.code;
  readonly kind = "invalid";
}

/** The database cannot be reached or opened. */
export class StoreUnavailableError extends StoreError {
  static readonly code = "ERR_STORE_UNAVAILABLE";
  readonly code = StoreUnavailableError.code;
  readonly kind = "unavailable";
}

/**
 * The database has no room left for a write (SQLite: SQLITE_FULL; PostgreSQL: 53100 disk_full).
 * The write failed whole (its transaction rolled back); it succeeds again once space is freed.
 */
export class StoreFullError extends StoreError {
  static readonly code = "ERR_STORE_FULL";
  readonly code = StoreFullError.code;
  readonly kind = "unavailable";
}

/** A migration failed; nothing of it was applied (DDL is transactional on both dialects). */
export class StoreMigrationError extends StoreError {
  static readonly code = "ERR_STORE_MIGRATION";
  readonly code = StoreMigrationError.code;
  readonly kind = "internal";
}

/** The database holds migrations this build does not know: it was opened by a newer hostpass. */
export class StoreVersionError extends StoreError {
  static readonly code = "ERR_STORE_VERSION";
  readonly code = StoreVersionError.code;
  readonly kind = "conflict";
}

/** A page size out of range or a cursor that we did not hand out. */
export class InvalidPageError extends StoreError {
  static readonly code = "ERR_INVALID_PAGE";
  readonly code = InvalidPageError.code;
  readonly kind = "invalid";
}

/**
 * The SQLite file is already open in this process. node:sqlite is synchronous: a second
 * connection waiting for the first one's write lock would block the event loop the first one
 * needs to commit. Share the open Store instead (other processes may open the file).
 */
export class StoreInUseError extends StoreError {
  static readonly code = "ERR_STORE_IN_USE";
  readonly code = StoreInUseError.code;
  readonly kind = "conflict";
}
