import { HostpassError } from "../shared/errors.ts";

/** Base of every failure the auth module reports outside the OAuth protocol responses. */
export abstract class AuthError extends HostpassError {}

/**
 * An access token that is not usable for Linux VM Sign-In: bad signature, wrong issuer, audience,
 * type or tenant, expired, or revoked. One fixed message; the reason stays in `cause` for logs.
 */
export class InvalidAccessTokenError extends AuthError {
  static readonly code = "ERR_AUTH_INVALID_TOKEN";
  readonly code = InvalidAccessTokenError.code;
  readonly kind = "unauthenticated";
  constructor(options?: { cause?: unknown }) {
    super("The access token is not valid for Linux VM Sign-In. Run `hostpass login` again.", options);
  }
}

/** The sign-in interaction cannot be finished (unknown, expired, or the account cannot sign in). */
export class InteractionError extends AuthError {
  static readonly code = "ERR_AUTH_INTERACTION";
  readonly code = InteractionError.code;
  readonly kind = "unauthenticated";
}

/** The configured signing keys are unusable (none active, unsupported type, duplicate kid). */
export class SigningKeyError extends AuthError {
  static readonly code = "ERR_AUTH_SIGNING_KEYS";
  readonly code = SigningKeyError.code;
  readonly kind = "internal";
}
