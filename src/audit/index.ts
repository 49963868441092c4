/** The activity log: append-only, hash-chained, queryable. */
export {
  type AppendAuditEventInput,
  appendAuditEvent,
  appendAuditEvents,
  MAX_DETAILS_BYTES,
} from "./append-audit-event.ts";
export { type AuditWriter, type AuditWriterOptions, createAuditWriter } from "./audit-writer.ts";
export { canonicalJson } from "./canonical-json.ts";
export {
  canonicalEvent,
  chainHash,
  GENESIS_HASH,
  type HashedFields,
  headSeal,
  unkeyedChainHash,
} from "./chain-hash.ts";
export { type AuditChainKey, deriveAuditChainKey } from "./chain-key.ts";
export { AuditError, AuditKeyMissingError, InvalidAuditInputError } from "./errors.ts";
export { MAX_PAGE_SIZE, queryAuditEvents } from "./query-audit-events.ts";
export type { AuditRepository } from "./repository.ts";
export {
  SIGN_IN_RESULTS,
  type SignInLogEntry,
  type SignInLogQuery,
  type SignInLogRepository,
  type SignInResult,
} from "./sign-in-log.ts";
export {
  AUDIT_RESULTS,
  type AuditEvent,
  type AuditHead,
  type AuditQuery,
  type AuditResult,
  type Page,
  type PageRequest,
} from "./types.ts";
export {
  type AuditProblem,
  type AuditProblemKind,
  type AuditVerification,
  type VerifyAuditChainOptions,
  verifyAuditChain,
} from "./verify-audit-chain.ts";
