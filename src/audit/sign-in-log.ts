/**
 * The sign-in log: every sign-in attempt (portal, token grants, certificate requests) with who,
 * which app, from where, the result, the MFA method, and the conditional access policies evaluated.
 * Declared here; the store implements the repository.
 */
import type { Page, PageRequest } from "./types.ts";

export const SIGN_IN_RESULTS = ["success", "failure", "interrupted", "locked", "denied"] as const;
export type SignInResult = (typeof SIGN_IN_RESULTS)[number];

export interface SignInLogEntry {
  readonly id: string;
  readonly time: Date;
  readonly tenantId: string;
  readonly principalId?: string;
  /** The UPN or app display name, as typed or as known. */
  readonly principalName?: string;
  readonly principalKind?: "user" | "servicePrincipal" | "managedIdentity";
  /** The OAuth client id. */
  readonly appId?: string;
  /** The resource asked for (e.g. Linux VM Sign-In's id). */
  readonly resource?: string;
  readonly ip: string;
  readonly userAgent: string;
  readonly deviceId?: string;
  readonly result: SignInResult;
  /** Never shown to the user; for administrators. */
  readonly failureReason?: string;
  /** e.g. `totp`, `passkey`. */
  readonly mfaMethod?: string;
  /** The conditional access evaluations (policy/ `PolicyEvaluation`s), stored as JSON. */
  readonly policies: readonly unknown[];
  readonly correlationId: string;
}

export interface SignInLogQuery {
  readonly tenantId: string;
  /** Inclusive. */
  readonly from?: Date;
  /** Exclusive. */
  readonly to?: Date;
  readonly principalId?: string;
  readonly appId?: string;
  readonly ip?: string;
  readonly result?: SignInResult;
  readonly correlationId?: string;
}

export interface SignInLogRepository {
  append(entry: SignInLogEntry): Promise<void>;
  /** Several entries, one INSERT per 500 (issuance's group commit, inside its transaction). */
  appendMany(entries: readonly SignInLogEntry[]): Promise<void>;
  /** Newest first (time, then id), with opaque cursors. */
  query(filter: SignInLogQuery, page: PageRequest): Promise<Page<SignInLogEntry>>;
}
