import { HostpassError } from "../shared/errors.ts";

/** The SSH public key offered for certification is not acceptable (type, size, or a CA/host key). */
export class CaKeyRejectedError extends HostpassError {
  static readonly code = "ERR_CA_KEY_REJECTED";
  readonly code = CaKeyRejectedError.code;
  readonly kind = "invalid";
}

/** The proof of possession of the SSH private key is missing, malformed, stale or replayed. */
export class CaProofInvalidError extends HostpassError {
  static readonly code = "ERR_CA_PROOF_INVALID";
  readonly code = CaProofInvalidError.code;
  readonly kind = "unauthenticated";
}

/** The identity cannot be put in a certificate (unsafe Linux name, disabled principal). */
export class CaSubjectRejectedError extends HostpassError {
  static readonly code = "ERR_CA_SUBJECT_REJECTED";
  readonly code = CaSubjectRejectedError.code;
  readonly kind = "forbidden";
}

/** The CA key material cannot be used: wrong key-encryption key, corrupt record, no active key. */
export class CaKeyUnavailableError extends HostpassError {
  static readonly code = "ERR_CA_KEY_UNAVAILABLE";
  readonly code = CaKeyUnavailableError.code;
  readonly kind = "unavailable";
}
