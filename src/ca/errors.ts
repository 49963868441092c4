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

/**
 * A Linux VM Sign-In token that is not sender-constrained (no `cnf.jkt`): the CA certifies a key
 * only for a token bound to that very key, so a stolen bearer token mints nothing.
 */
export class CaTokenUnboundError extends HostpassError {
  static readonly code = "ERR_CA_TOKEN_UNBOUND";
  readonly code = CaTokenUnboundError.code;
  readonly kind = "unauthenticated";
  constructor() {
    super(
      "the access token is not DPoP-bound: ask for a Linux VM Sign-In token with a DPoP proof made with the key to certify",
    );
  }
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

/** A rotation step that does not fit the CA keys' states (announce twice, activate with nothing announced). */
export class CaRotationStepError extends HostpassError {
  static readonly code = "ERR_CA_ROTATION_STEP";
  readonly code = CaRotationStepError.code;
  readonly kind = "conflict";
}

/**
 * Retiring the previous CA key while certificates it signed may still be valid: they would stop
 * working at once. Refused unless forced.
 */
export class CaRetireTooEarlyError extends HostpassError {
  static readonly code = "ERR_CA_RETIRE_TOO_EARLY";
  readonly code = CaRetireTooEarlyError.code;
  readonly kind = "conflict";
}

/** A certificate serial that is not a whole number in 1..2^63-1 (negative, too large, text). */
export class CaInvalidSerialError extends HostpassError {
  static readonly code = "ERR_CA_INVALID_SERIAL";
  readonly code = CaInvalidSerialError.code;
  readonly kind = "invalid";
}

/** No certificate with this serial in the caller's tenant. */
export class CertificateNotFoundError extends HostpassError {
  static readonly code = "ERR_CA_CERTIFICATE_NOT_FOUND";
  readonly code = CertificateNotFoundError.code;
  readonly kind = "not_found";
}
