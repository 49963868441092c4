/**
 * Password hashing with scrypt at OWASP's recommended parameters (N=2^17, r=8, p=1), stored in
 * a self-describing PHC-like string: `$scrypt$ln=17,r=8,p=1$<salt b64>$<hash b64>`.
 *
 * Verification re-derives with the parameters in the stored string, but only within bounds, so
 * a tampered row cannot make a login burn gigabytes of memory; the comparison is constant-time.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { InvalidDirectoryInputError } from "./errors.ts";

const LOG_N = 17;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
/** scrypt needs 128 * N * r bytes; Node's default ceiling (32 MiB) is below that. */
const maxmemFor = (logN: number, r: number): number => 128 * 2 ** logN * r * 2;

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 1024;

function derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize("NFC"),
      salt,
      KEY_LENGTH,
      { N: 2 ** logN, r, p, maxmem: maxmemFor(logN, r) },
      (e, k) => (e ? reject(e) : resolve(k)),
    );
  });
}

export function checkPasswordPolicy(password: string): void {
  if (typeof password !== "string") throw new InvalidDirectoryInputError("password must be a string");
  const length = [...password.normalize("NFC")].length;
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
    throw new InvalidDirectoryInputError(
      `password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
    );
  }
}

export async function hashPassword(password: string): Promise<string> {
  checkPasswordPolicy(password);
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, LOG_N, R, P);
  return `$scrypt$ln=${LOG_N},r=${R},p=${P}$${salt.toString("base64")}$${key.toString("base64")}`;
}

const STORED =
  /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/=]{16,64})\$([A-Za-z0-9+/=]{40,88})$/;

/** A fixed hash to verify against when there is no user, so both paths cost the same. */
const DUMMY = "$scrypt$ln=17,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

/**
 * True when `password` matches `stored`. With `stored` undefined (unknown user, no password
 * set) it still spends the same work and returns false, so timing does not reveal which.
 */
export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  const m = STORED.exec(stored ?? DUMMY) ?? STORED.exec(DUMMY);
  if (!m || typeof password !== "string" || password.length > PASSWORD_MAX_LENGTH * 4) return false;
  const [logN, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Accept only parameters we could have written (today's or a stronger future setting).
  if (logN < 14 || logN > 20 || r < 8 || r > 16 || p < 1 || p > 4) return false;
  const expected = Buffer.from(m[5] as string, "base64");
  const actual = await derive(password, Buffer.from(m[4] as string, "base64"), logN, r, p);
  const ok = expected.length === actual.length && timingSafeEqual(expected, actual);
  return ok && stored !== undefined;
}

/** True when the stored hash uses weaker parameters than today's and should be re-hashed. */
export function needsRehash(stored: string): boolean {
  const m = STORED.exec(stored);
  return !m || Number(m[1]) < LOG_N || Number(m[2]) < R;
}
