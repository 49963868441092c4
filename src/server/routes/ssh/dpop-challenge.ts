/**
 * The `WWW-Authenticate: DPoP` challenge of the CA's 401 answers (RFC 9449 §7.1): the scheme, the
 * proof algorithms it accepts (`algs`), and, when the request carried a token, what was wrong with
 * it (`error`, RFC 6750 §3.1 / RFC 9449 §7.1 / RFC 9470 §3). A request without any credential
 * gets no `error` (RFC 6750 §3.1).
 */
import { accessTokenOf, CaProofInvalidError, PROOF_ALGORITHMS } from "../../../ca/index.ts";
import { isHostpassError } from "../../../shared/errors.ts";

const ERROR_BY_CODE: ReadonlyMap<string, string> = new Map([
  [CaProofInvalidError.code, "invalid_dpop_proof"],
  // A claims challenge: the token is fine, the sign-in behind it falls short.
  ["ERR_INTERACTION_REQUIRED", "insufficient_user_authentication"],
]);

/** The header value for an error the CA answered with, or undefined when it is no 401. */
export function dpopChallenge(error: unknown, authorization: string | undefined): string | undefined {
  if (!isHostpassError(error) || error.kind !== "unauthenticated") return undefined;
  const algs = `algs="${PROOF_ALGORITHMS.join(" ")}"`;
  if (accessTokenOf(authorization) === undefined) return `DPoP ${algs}`;
  return `DPoP error="${ERROR_BY_CODE.get(error.code) ?? "invalid_token"}", ${algs}`;
}
