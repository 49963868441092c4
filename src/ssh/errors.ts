import { HostpassError } from "../shared/errors.ts";

/** Base of every failure the SSH module reports for untrusted input. */
export abstract class SshError extends HostpassError {}

/** The bytes or text are not well-formed: truncated, trailing data, bad lengths, embedded NUL. */
export class SshFormatError extends SshError {
  static readonly code = "ERR_SSH_FORMAT";
  readonly code = SshFormatError.code;
  readonly kind = "invalid";
}

/** A key, certificate or signature type hostpass does not accept (DSA, sk-*, unknown names). */
export class SshUnsupportedTypeError extends SshError {
  static readonly code = "ERR_SSH_UNSUPPORTED_TYPE";
  readonly code = SshUnsupportedTypeError.code;
  readonly kind = "invalid";
}

/** Well-formed, but not a usable key: point off the curve, small-order, RSA modulus out of range. */
export class SshInvalidKeyError extends SshError {
  static readonly code = "ERR_SSH_INVALID_KEY";
  readonly code = SshInvalidKeyError.code;
  readonly kind = "invalid";
}

/** A certificate that breaks the format's rules: >256 principals, a certificate as CA key, bad type. */
export class SshCertificateError extends SshError {
  static readonly code = "ERR_SSH_CERTIFICATE";
  readonly code = SshCertificateError.code;
  readonly kind = "invalid";
}

/** A signature algorithm that does not fit the key, or one we refuse (`ssh-rsa` with SHA-1). */
export class SshSignatureAlgorithmError extends SshError {
  static readonly code = "ERR_SSH_SIGNATURE_ALGORITHM";
  readonly code = SshSignatureAlgorithmError.code;
  readonly kind = "invalid";
}

/** The signature does not verify. The message is fixed on purpose. */
export class SshSignatureInvalidError extends SshError {
  static readonly code = "ERR_SSH_SIGNATURE_INVALID";
  readonly code = SshSignatureInvalidError.code;
  readonly kind = "invalid";
  constructor(options?: { cause?: unknown }) {
    super("signature verification failed", options);
  }
}

/** A KRL that cannot be built or read (serial 0, reversed range, unknown critical section). */
export class SshKrlError extends SshError {
  static readonly code = "ERR_SSH_KRL";
  readonly code = SshKrlError.code;
  readonly kind = "invalid";
}
