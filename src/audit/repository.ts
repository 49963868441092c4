/** The storage the activity log needs; `store/` implements it. Rows are never updated or deleted. */
import type { AuditChainKey } from "./chain-key.ts";
import type { AuditEvent, AuditHead, AuditQuery, Page, PageRequest } from "./types.ts";

export interface AuditRepository {
  /**
   * The key the chain is sealed with, from the key-encryption key the store was opened with;
   * undefined without one (then appending and verifying fail with AuditKeyMissingError).
   */
  readonly chainKey: AuditChainKey | undefined;
  /** Runs `work` in one transaction (inside one already, just calls it). */
  transaction<T>(work: (repo: AuditRepository) => Promise<T>): Promise<T>;
  /**
   * Reads the chain head and holds it until the transaction ends, so appends are serialised and
   * the chain never forks (a row lock on PostgreSQL; SQLite has a single writer). Must be called
   * inside `transaction`.
   */
  lockHead(): Promise<AuditHead>;
  /** Reads the head without locking (for verification). */
  getHead(): Promise<AuditHead>;
  /**
   * Inserts the events (consecutive seqs following the locked head) and moves the head to the
   * last one, with its seal. Must be called inside `transaction`, after `lockHead`.
   */
  append(events: readonly AuditEvent[], headSeal: string): Promise<void>;
  /** Events with `seq > afterSeq`, in seq order, at most `limit`. */
  scan(afterSeq: number, limit: number): Promise<readonly AuditEvent[]>;
  /** Newest first. */
  query(filter: AuditQuery, page: PageRequest): Promise<Page<AuditEvent>>;
}
