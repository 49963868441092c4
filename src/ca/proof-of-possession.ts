/**
 * Proof of possession of the SSH private key (RFC 9449 DPoP, made with the SSH key itself): the CA
 * certifies a key only after the caller signed a fresh, single-use proof bound to this request and
 * to the access token (PRODUCT.md §4). Follows the checks of RFC 9449 §4.3.
 */
import { createHash } from "node:crypto";
import { decodeProtectedHeader, EmbeddedJWK, type JWK, errors as joseErrors, jwtVerify } from "jose";
import { type PublicKey, publicKeyFromJwk, SshError } from "../ssh/index.ts";
import { CaProofInvalidError } from "./errors.ts";

/** Remembers proof ids until they expire; `use` returns false when the id was seen before. */
export interface ReplayCache {
  use(id: string, expiresAtMs: number): boolean | Promise<boolean>;
}

export interface ProofRequirements {
  readonly method: string;
  /** The request URL; query and fragment are ignored as RFC 9449 says. */
  readonly url: string;
  /** The access token presented with the proof (its hash must be in `ath`). */
  readonly accessToken: string;
  readonly nowMs: number;
  readonly replay: ReplayCache;
  /** How far `iat` may be from now, in seconds (default 60). */
  readonly maxSkewSeconds?: number;
  /** A server-issued nonce the proof must carry, when the server demands one. */
  readonly nonce?: string;
}

const ALGORITHMS: Record<string, readonly string[]> = {
  "ssh-ed25519": ["EdDSA", "Ed25519"],
  "ecdsa-sha2-nistp256": ["ES256"],
  "ecdsa-sha2-nistp384": ["ES384"],
  "ecdsa-sha2-nistp521": ["ES512"],
  "ssh-rsa": ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"],
};

function fail(reason: string, cause?: unknown): never {
  throw new CaProofInvalidError(`proof of possession rejected: ${reason}`, { cause });
}

function withoutQuery(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "";
  }
}

/** Verifies a DPoP proof and returns the SSH public key it proves possession of. */
export async function verifyKeyProof(proof: string, req: ProofRequirements): Promise<PublicKey> {
  if (typeof proof !== "string" || proof.length === 0 || proof.length > 16_384)
    fail("missing or oversized proof");
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch (cause) {
    fail("not a JWS", cause);
  }
  const jwk = header.jwk as JWK | undefined;
  if (!jwk || typeof jwk !== "object") fail("no jwk in the header");
  if ("d" in jwk || "p" in jwk || "k" in jwk) fail("the header jwk contains private key material");
  let key: PublicKey;
  try {
    key = publicKeyFromJwk(jwk as never);
  } catch (cause) {
    if (cause instanceof SshError) fail("the header jwk is not an acceptable SSH key", cause);
    throw cause;
  }
  const skew = req.maxSkewSeconds ?? 60;
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(proof, EmbeddedJWK, {
      typ: "dpop+jwt",
      algorithms: [...(ALGORITHMS[key.type] ?? [])],
      currentDate: new Date(req.nowMs),
      clockTolerance: skew,
      maxTokenAge: skew * 2,
      requiredClaims: ["jti", "htm", "htu", "iat", "ath"],
    }));
  } catch (cause) {
    if (cause instanceof joseErrors.JOSEError) fail(`bad proof (${cause.code})`, cause);
    throw cause;
  }
  const iat = payload.iat as number;
  if (Math.abs(iat * 1000 - req.nowMs) > skew * 1000) fail("iat is outside the accepted window");
  if (payload.htm !== req.method) fail("htm does not match the request method");
  if (
    typeof payload.htu !== "string" ||
    withoutQuery(payload.htu) !== withoutQuery(req.url) ||
    !withoutQuery(req.url)
  ) {
    fail("htu does not match the request URL");
  }
  const ath = createHash("sha256").update(req.accessToken).digest("base64url");
  if (payload.ath !== ath) fail("ath does not match the access token");
  if (req.nonce !== undefined && payload.nonce !== req.nonce) fail("nonce missing or stale");
  const jti = payload.jti;
  if (typeof jti !== "string" || jti.length < 16 || jti.length > 256)
    fail("jti must be 16 to 256 characters");
  if (!(await req.replay.use(jti, req.nowMs + skew * 2000))) fail("proof was already used");
  return key;
}

/** An in-process replay cache with expiry, for a single server process. */
export class MemoryReplayCache implements ReplayCache {
  readonly #seen = new Map<string, number>();

  use(id: string, expiresAtMs: number): boolean {
    const now = Date.now();
    if (this.#seen.size > 10_000) for (const [k, exp] of this.#seen) if (exp < now) this.#seen.delete(k);
    const existing = this.#seen.get(id);
    if (existing !== undefined && existing >= now) return false;
    this.#seen.set(id, expiresAtMs);
    return true;
  }
}
