/** Storage: Kysely over node:sqlite or PostgreSQL, implementing the domain folders' repositories. */
export { classifyDbError, type DialectProfile, POSTGRES_PROFILE, SQLITE_PROFILE } from "./dialect-profile.ts";
export {
  InvalidPageError,
  StoreError,
  StoreFullError,
  StoreInUseError,
  StoreMigrationError,
  StoreUnavailableError,
  StoreUrlError,
  StoreVersionError,
} from "./errors.ts";
export {
  type OpenStoreOptions,
  openStore,
  SQLITE_FILE_NAME,
  type Store,
  type StoreRepositories,
  sqliteUrlForDataDir,
} from "./open-store.ts";
export type { Database } from "./schema.ts";
export {
  AccountNotFoundError,
  CertificateSerialInUseError,
  KeyStateConflictError,
  PasskeyInUseError,
} from "./sign-in-errors.ts";
export { type SignInRepositories, startExpirySweep } from "./sign-in-repositories.ts";
export type * from "./sign-in-types.ts";
export { SIGN_IN_RESULTS } from "./sign-in-types.ts";
