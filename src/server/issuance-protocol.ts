/** Messages between the server's main thread and its issuance worker threads (issuance-workers.ts). */
import type { IssuanceAnswer, IssuanceInput, IssuanceRecords, VerifiedSignInToken } from "../ca/index.ts";
import { type ErrorCode, type ErrorKind, HostpassError, isHostpassError } from "../shared/errors.ts";

export interface WorkerSetup {
  readonly storeUrl: string;
  readonly kek: Uint8Array;
  /** `<public URL>/ssh/certificates`, which DPoP proofs name. */
  readonly url: string;
  readonly defaultLifetimeSeconds?: number | undefined;
}

export type WorkerRequest =
  | {
      readonly type: "issue";
      readonly id: number;
      readonly input: IssuanceInput;
      /** The access token as the main thread verified it (absent: it could not read one). */
      readonly token?: { readonly token: VerifiedSignInToken; readonly expiresAtMs: number };
    }
  | { readonly type: "caKeysChanged" }
  | { readonly type: "close" }
  /** The main thread committed (or failed to commit) records a worker sent (`WorkerRecords`). */
  | { readonly type: "recorded"; readonly rid: number; readonly error?: RemoteError };

/**
 * A worker's records, committed by the main thread's group commit (one writer, groups across
 * every worker): workers do the CPU work, the store takes one transaction per group.
 */
export type WorkerRecords =
  | {
      readonly type: "issued";
      readonly rid: number;
      readonly record: Parameters<IssuanceRecords["issued"]>[0];
    }
  | {
      readonly type: "refused";
      readonly rid: number;
      readonly record: Parameters<IssuanceRecords["refused"]>[0];
    };

export interface RemoteError {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly message: string;
  /** The error's `toJSON()` (extra machine-readable fields such as `requirements`). */
  readonly json?: Readonly<Record<string, unknown>>;
  /** An internal error's stack, for the server log only. */
  readonly detail?: string;
}

export type WorkerReply =
  | { readonly id: number; readonly answer: IssuanceAnswer; readonly error?: undefined }
  | { readonly id: number; readonly error: RemoteError; readonly answer?: undefined };

/** An error a worker answered with, as the HTTP edge must show it (same code, kind, body). */
export class RemoteIssuanceError extends HostpassError {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly #json: Readonly<Record<string, unknown>> | undefined;

  constructor(remote: RemoteError) {
    super(remote.message, remote.detail === undefined ? undefined : { cause: remote.detail });
    this.code = remote.code as ErrorCode;
    this.kind = remote.kind;
    this.#json = remote.json;
  }

  override toJSON(): { code: ErrorCode; message: string } {
    return { ...this.#json, code: this.code, message: this.message };
  }
}

/** An error as it crosses between threads: a HostpassError keeps its code, kind and body. */
export function remoteErrorOf(error: unknown): RemoteError {
  if (isHostpassError(error))
    return { code: error.code, kind: error.kind, message: error.message, json: error.toJSON() };
  return {
    code: "ERR_INTERNAL",
    kind: "internal",
    message: "internal error",
    detail: error instanceof Error ? (error.stack ?? error.message) : String(error),
  };
}
