/**
 * The mechanism both request proofs share (the DPoP proof made with the SSH key, and the device
 * proof): a JWT whose header carries the signer's public JWK, bound to the request (`htm`, `htu`)
 * and to the access token (`ath`), fresh (`iat` within the skew) and single-use (`jti`, replay
 * cache). RFC 9449 §4.3 checks; each caller adds what is particular to its key.
 */
import { createHash, type KeyObject, randomUUID } from "node:crypto";
import { decodeProtectedHeader, EmbeddedJWK, type JWK, errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { jwsHasDuplicateKeys } from "../../shared/strict-json.ts";
import { CaProofInvalidError } from "../errors.ts";

/** Remembers proof ids until they expire; `use` returns false when the id was seen before. */
export interface ReplayCache {
  use(id: string, expiresAtMs: number): boolean | Promise<boolean>;
}

export interface BoundRequest {
  readonly method: string;
  readonly url: string;
  readonly accessToken?: string;
  readonly nonce?: string;
}

/** The members RFC 7638 §3.2 hashes for each key type, in their lexicographic order. */
const THUMBPRINT_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ["crv", "kty", "x", "y"],
  OKP: ["crv", "kty", "x"],
  RSA: ["e", "kty", "n"],
};

/**
 * The RFC 7638 SHA-256 thumbprint of a public JWK (base64url), as jose's `calculateJwkThumbprint`
 * computes it, but synchronously: WebCrypto's digest costs several times a plain hash for these
 * few bytes, and the issuance path takes one per certificate.
 */
export function jwkThumbprint(jwk: JWK): string {
  const members = THUMBPRINT_MEMBERS[String(jwk.kty)];
  if (!members) throw new CaProofInvalidError(`a ${String(jwk.kty)} key has no thumbprint here`);
  const required: Record<string, string> = {};
  for (const m of members) {
    const value = (jwk as Record<string, unknown>)[m];
    if (typeof value !== "string" || value === "")
      throw new CaProofInvalidError(`the key's "${m}" member is missing`);
    required[m] = value;
  }
  return createHash("sha256").update(JSON.stringify(required)).digest("base64url");
}

function accessTokenHash(accessToken: string): string {
  return createHash("sha256").update(accessToken).digest("base64url");
}

export function signRequestProof(
  privateKey: KeyObject,
  header: { alg: string; typ: string; jwk: JWK },
  request: BoundRequest,
  nowMs: number,
): Promise<string> {
  const claims: Record<string, unknown> = {
    jti: randomUUID(),
    htm: request.method,
    htu: request.url,
    iat: Math.floor(nowMs / 1000),
  };
  if (request.accessToken) claims.ath = accessTokenHash(request.accessToken);
  if (request.nonce) claims.nonce = request.nonce;
  return new SignJWT(claims).setProtectedHeader(header).sign(privateKey);
}

export interface RequestProofCheck<K> {
  /** Prefix of every refusal message, e.g. "proof of possession". */
  readonly what: string;
  readonly typ: string;
  readonly maxLength: number;
  /**
   * The signer's key from the header JWK, and the algorithms it may sign with; throws to refuse.
   * `keyObject`, when given, is that key already built (the signature is checked with it rather
   * than importing the header JWK a second time).
   */
  readonly keyOf: (jwk: JWK) => { key: K; algorithms: readonly string[]; keyObject?: KeyObject };
  /** `htu` compared whole (true) or without query and fragment, as RFC 9449 says (false). */
  readonly exactHtu: boolean;
  /** Kept apart from other proofs' ids in a shared replay cache. */
  readonly replayPrefix: string;
  readonly method: string;
  readonly url: string;
  readonly accessToken: string;
  readonly nowMs: number;
  readonly replay: ReplayCache;
  readonly skewSeconds: number;
  readonly nonce?: string;
}

function withoutQuery(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "";
  }
}

/** Verifies a request proof; returns the signer's key (as `keyOf` made it) and its JWK. */
export async function verifyRequestProof<K>(
  proof: string,
  check: RequestProofCheck<K>,
): Promise<{ key: K; jwk: JWK }> {
  const fail = (reason: string, cause?: unknown): never => {
    throw new CaProofInvalidError(`${check.what} rejected: ${reason}`, { cause });
  };
  if (typeof proof !== "string" || proof.length === 0 || proof.length > check.maxLength)
    fail("missing or oversized proof");
  if (jwsHasDuplicateKeys(proof)) fail("a member is named twice");
  let header: ReturnType<typeof decodeProtectedHeader> = {};
  try {
    header = decodeProtectedHeader(proof);
  } catch (cause) {
    fail("not a JWS", cause);
  }
  const jwk = header.jwk as JWK | undefined;
  if (!jwk || typeof jwk !== "object") return fail("no jwk in the header");
  if ("d" in jwk || "p" in jwk || "k" in jwk) fail("the header jwk contains private key material");
  const { key, algorithms, keyObject } = check.keyOf(jwk);
  const skew = check.skewSeconds;
  let payload: Record<string, unknown> = {};
  try {
    ({ payload } = await jwtVerify(proof, keyObject ?? EmbeddedJWK, {
      typ: check.typ,
      algorithms: [...algorithms],
      currentDate: new Date(check.nowMs),
      clockTolerance: skew,
      maxTokenAge: skew * 2,
      requiredClaims: ["jti", "htm", "htu", "iat", "ath"],
    }));
  } catch (cause) {
    if (cause instanceof joseErrors.JOSEError) fail(`bad proof (${cause.code})`, cause);
    throw cause;
  }
  if (Math.abs((payload.iat as number) * 1000 - check.nowMs) > skew * 1000)
    fail("iat is outside the accepted window");
  if (payload.htm !== check.method) fail("htm does not match the request method");
  const htuMatches = check.exactHtu
    ? payload.htu === check.url
    : typeof payload.htu === "string" &&
      withoutQuery(check.url) !== "" &&
      withoutQuery(payload.htu) === withoutQuery(check.url);
  if (!htuMatches) fail("htu does not match the request URL");
  if (payload.ath !== accessTokenHash(check.accessToken)) fail("ath does not match the access token");
  if (check.nonce !== undefined && payload.nonce !== check.nonce) fail("nonce missing or stale");
  const jti = payload.jti;
  if (typeof jti !== "string" || jti.length < 16 || jti.length > 256)
    fail("jti must be 16 to 256 characters");
  // Accepted proofs are at most `skew` seconds from now, so the id must be remembered that long and then some.
  if (!(await check.replay.use(`${check.replayPrefix}${jti}`, check.nowMs + skew * 2000)))
    fail("proof was already used");
  return { key, jwk };
}
