/**
 * The change log (an outbox): every change a login depends on, per tenant, in commit order.
 *
 * The store writes one entry in the same transaction as each change (role assignments and
 * definitions, principals and their enabled flag, uids and Linux names, group memberships,
 * resources created, moved or deleted, a machine's identity, addresses and extensions, CA keys,
 * revocations), so an entry exists exactly when its change committed. Versions are consecutive
 * integers per tenant (1, 2, 3, ...) and become visible in order: a writer takes the next version
 * under the tenant's head-row lock and holds it until commit, so a reader never sees version n+1
 * before n. A consumer that applied version v resumes with `since(v)` and never misses or
 * double-applies an entry; entries carry full state (not increments), so applying one twice is
 * harmless anyway.
 *
 * Each domain folder declares the bodies of its own kinds (`RbacChange` in rbac/,
 * `DirectoryChange` in directory/, `ResourceChange` in resources/, `CaChange` in ca/); this file
 * only knows the envelope.
 */

/** One entry: its version and kind, plus the fields of its kind's body. */
export interface LoggedChange {
  readonly version: number;
  readonly kind: string;
}

/** A body as written: the entry without its version (the store assigns it). */
export type ChangeBody<C extends LoggedChange> = C extends LoggedChange ? Omit<C, "version"> : never;

export interface ChangeLogReader {
  /** The latest committed version of the tenant (0 before its first change). */
  head(tenantId: string): Promise<number>;
  /** Entries with `version > after`, oldest first, at most `limit` (1..10000). */
  since(tenantId: string, after: number, limit: number): Promise<readonly LoggedChange[]>;
}

/** Narrows an entry to one domain's kinds. */
export function isChangeOf<C extends LoggedChange>(
  kinds: ReadonlySet<string>,
  change: LoggedChange,
): change is C {
  return kinds.has(change.kind);
}
