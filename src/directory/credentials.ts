/**
 * Service-principal credentials.
 *
 * Client secrets are 256-bit random values, shown once; only their SHA-256 is stored. A fast hash
 * is right here (unlike passwords): the input has full entropy, so there is nothing to guess.
 * Certificate credentials are public keys, identified by their RFC 7638 JWK thumbprint.
 */
import { createHash, createPublicKey, randomBytes } from "node:crypto";
import { InvalidDirectoryInputError } from "./errors.ts";

const SECRET_PREFIX = "hps_";

export interface NewSecret {
  /** Shown to the caller once; never stored. */
  readonly secret: string;
  readonly hash: string;
  readonly hint: string;
}

export function hashClientSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

export function generateClientSecret(): NewSecret {
  const secret = SECRET_PREFIX + randomBytes(32).toString("base64url");
  return { secret, hash: hashClientSecret(secret), hint: secret.slice(0, SECRET_PREFIX.length + 3) };
}

const THUMBPRINT_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ["crv", "kty", "x", "y"],
  OKP: ["crv", "kty", "x"],
  RSA: ["e", "kty", "n"],
};
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
const MAX_JWK_MEMBER = 2048;

export interface CheckedJwk {
  /** The required public members only (anything else the caller sent is dropped). */
  readonly jwk: Readonly<Record<string, string>>;
  readonly thumbprint: string;
}

/**
 * Validates a public JWK (EC P-256/384/521, Ed25519, RSA >= 2048) and returns its required members
 * and RFC 7638 SHA-256 thumbprint. Private members are refused, not stripped: a caller sending
 * them has a bug or is leaking a key.
 */
export function checkPublicJwk(input: unknown): CheckedJwk {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new InvalidDirectoryInputError("key must be a JWK object");
  }
  const source = input as Record<string, unknown>;
  if (PRIVATE_MEMBERS.some((m) => Object.hasOwn(source, m))) {
    throw new InvalidDirectoryInputError("key must be a public JWK; it contains private members");
  }
  const kty = source.kty;
  const members =
    typeof kty === "string" && Object.hasOwn(THUMBPRINT_MEMBERS, kty) ? THUMBPRINT_MEMBERS[kty] : undefined;
  if (!members) throw new InvalidDirectoryInputError("key type must be EC, OKP or RSA");
  const jwk: Record<string, string> = {};
  for (const m of members) {
    const v = source[m];
    if (typeof v !== "string" || v.length === 0 || v.length > MAX_JWK_MEMBER) {
      throw new InvalidDirectoryInputError(`key member '${m}' is missing or not a string`);
    }
    jwk[m] = v;
  }
  let key: ReturnType<typeof createPublicKey>;
  try {
    key = createPublicKey({ key: jwk, format: "jwk" });
  } catch (cause) {
    throw new InvalidDirectoryInputError("key is not a valid public key", { cause });
  }
  const details = key.asymmetricKeyDetails;
  const type = key.asymmetricKeyType;
  if (type === "rsa" && (details?.modulusLength ?? 0) < 2048) {
    throw new InvalidDirectoryInputError("RSA keys must be at least 2048 bits");
  }
  if (type !== "rsa" && type !== "ec" && type !== "ed25519") {
    throw new InvalidDirectoryInputError("key must be RSA, ECDSA or Ed25519");
  }
  // RFC 7638: the required members, lexicographic order, no whitespace.
  const canonical = JSON.stringify(Object.fromEntries(members.map((m) => [m, jwk[m]])));
  return { jwk, thumbprint: createHash("sha256").update(canonical).digest("base64url") };
}
