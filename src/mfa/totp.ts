/**
 * TOTP (RFC 6238) second factor: enrolment with an otpauth:// URI and a QR code, and verification
 * with a ±1 step window where a code (its time step) is accepted at most once.
 */
import { Secret, TOTP } from "otpauth";
import QRCode from "qrcode";
import { MfaFailedError } from "./errors.ts";

const PERIOD = 30;
const DIGITS = 6;

export interface TotpEnrollment {
  /** Base32 seed; the caller seals it (src/shared/seal.ts) before storing. */
  readonly secret: string;
  readonly uri: string;
  /** An SVG QR code of `uri`, for the enrolment page. */
  readonly qrSvg: string;
}

function totpFor(secret: string, issuer: string, label: string): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: "SHA1",
    digits: DIGITS,
    period: PERIOD,
    secret: Secret.fromBase32(secret),
  });
}

export async function enrollTotp(issuer: string, accountName: string): Promise<TotpEnrollment> {
  const secret = new Secret({ size: 20 }).base32;
  const uri = totpFor(secret, issuer, accountName).toString();
  const qrSvg = await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return { secret, uri, qrSvg };
}

/**
 * Checks `code` and returns its time step. `lastUsedStep` is the step of the last accepted code:
 * the same or an earlier step is refused, so an observed code cannot be replayed.
 */
export function verifyTotp(secret: string, code: string, nowMs: number, lastUsedStep: number | null): number {
  if (!/^[0-9]{6}$/.test(code)) throw new MfaFailedError();
  const delta = totpFor(secret, "hostpass", "x").validate({ token: code, timestamp: nowMs, window: 1 });
  if (delta === null) throw new MfaFailedError();
  const step = Math.floor(nowMs / 1000 / PERIOD) + delta;
  if (lastUsedStep !== null && step <= lastUsedStep) throw new MfaFailedError();
  return step;
}

/** The code for a moment, for tests and for showing a first code at enrolment. */
export function totpCodeAt(secret: string, nowMs: number): string {
  return totpFor(secret, "hostpass", "x").generate({ timestamp: nowMs });
}
