/** Activity-log events. */

export const AUDIT_RESULTS = ["success", "failure", "denied"] as const;
export type AuditResult = (typeof AUDIT_RESULTS)[number];

export interface AuditEvent {
  /** Position in the chain, from 1, without gaps. */
  readonly seq: number;
  /** A UUID. */
  readonly id: string;
  readonly time: Date;
  readonly tenantId: string;
  /** Object id of who did it (user, service principal, managed identity, or `system`). */
  readonly actor: string;
  /** What was done, e.g. `roleAssignments/write`, `signIn`, `sshCertificate/issue`, `host/login`. */
  readonly action: string;
  /** What it was done to: a resource id, an object id or an assignment id. */
  readonly target: string;
  readonly result: AuditResult;
  readonly correlationId: string;
  readonly details: Readonly<Record<string, unknown>>;
  /** The previous event's hash; 64 zeros for the first. */
  readonly prevHash: string;
  /** HMAC-SHA-256 (hex) under the chain key of `prevHash` and the event's canonical JSON (chain-hash.ts). */
  readonly hash: string;
}

export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
  /** `headSeal` of seq and hash; absent only for a log that has never been appended to with a key. */
  readonly seal?: string;
}

export interface AuditQuery {
  readonly tenantId: string;
  /** Inclusive. */
  readonly from?: Date;
  /** Exclusive. */
  readonly to?: Date;
  readonly actor?: string;
  /** Compared case-insensitively (resource ids are). */
  readonly target?: string;
  readonly action?: string;
  readonly correlationId?: string;
  /** Only events with this result (e.g. the calls authorization refused: "denied"). */
  readonly result?: AuditResult;
}

export interface PageRequest {
  /** 1..1000. */
  readonly limit: number;
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}
