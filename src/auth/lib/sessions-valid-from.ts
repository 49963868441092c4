/**
 * The one comparison between a token's issue time and its principal's sessions-valid-from time
 * (directory/sessions.ts). Token times are whole seconds; a token issued in the second of the
 * revocation is void as well (refused rather than let through: a fresh sign-in a second later works).
 */
export function predatesSessions(
  issuedAtSeconds: number | undefined,
  validFromMs: number | undefined,
): boolean {
  if (validFromMs === undefined || validFromMs <= 0) return false;
  if (typeof issuedAtSeconds !== "number" || !Number.isFinite(issuedAtSeconds)) return true;
  return issuedAtSeconds <= Math.floor(validFromMs / 1000);
}
