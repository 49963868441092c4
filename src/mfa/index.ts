/** Second factors and brute-force limits: TOTP, passkeys (WebAuthn), attempt limiting. */
export { AttemptLimiter, type AttemptLimits } from "./attempt-limiter.ts";
export { AttemptsLockedError, MfaFailedError } from "./errors.ts";
export {
  authenticationOptions,
  type Passkey,
  type RelyingParty,
  registrationOptions,
  verifyAuthentication,
  verifyRegistration,
} from "./passkeys.ts";
export { enrollTotp, type TotpEnrollment, totpCodeAt, verifyTotp } from "./totp.ts";
