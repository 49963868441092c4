/**
 * Device user codes (RFC 8628 §6.1): consonants only (no vowels, so no words; no look-alike
 * letters), typed case-insensitively with any dashes or spaces. Shown as XXXX-XXXX.
 */
export const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{8}$/;

/** The normalised code, or `undefined` when what was typed cannot be a user code. */
export function normalizeUserCode(typed: string): string | undefined {
  if (typed.length > 64) return undefined;
  const code = typed.toUpperCase().replace(/[\s-]/g, "");
  return USER_CODE.test(code) ? code : undefined;
}

export function formatUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}
