/**
 * Proof of possession of the SSH private key (RFC 9449 DPoP, made with the SSH key itself): the CA
 * certifies a key only after the caller signed a fresh, single-use proof bound to this request and
 * to the access token (PRODUCT.md §4). The checks are lib/request-proof.ts's (RFC 9449 §4.3); the
 * header key must also be an SSH key we accept, and sign with an algorithm that fits it.
 */
import type { KeyObject } from "node:crypto";
import type { JWK } from "jose";
import { type Clock, systemClock } from "../shared/clock.ts";
import { ExpiringCache } from "../shared/expiring-cache.ts";
import { type PublicKey, publicKeyFromJwk, SshError } from "../ssh/index.ts";
import { CaProofInvalidError } from "./errors.ts";
import { type ReplayCache, verifyRequestProof } from "./lib/request-proof.ts";

export type { ReplayCache };

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

/** Every JWS algorithm a proof may be signed with (the `algs` of the CA's `WWW-Authenticate: DPoP`). */
export const PROOF_ALGORITHMS: readonly string[] = Object.freeze([
  ...new Set(Object.values(ALGORITHMS).flat()),
]);

function sshKeyOf(jwk: JWK): { key: PublicKey; algorithms: readonly string[]; keyObject: KeyObject } {
  try {
    const key = publicKeyFromJwk(jwk as never);
    return { key, algorithms: ALGORITHMS[key.type] ?? [], keyObject: key.keyObject };
  } catch (cause) {
    if (cause instanceof SshError) {
      throw new CaProofInvalidError(
        "proof of possession rejected: the header jwk is not an acceptable SSH key",
        { cause },
      );
    }
    throw cause;
  }
}

/** Verifies a DPoP proof and returns the SSH public key it proves possession of. */
export async function verifyKeyProof(proof: string, req: ProofRequirements): Promise<PublicKey> {
  const { key } = await verifyRequestProof(proof, {
    what: "proof of possession",
    typ: "dpop+jwt",
    maxLength: 16_384,
    keyOf: sshKeyOf,
    exactHtu: false,
    replayPrefix: "",
    method: req.method,
    url: req.url,
    accessToken: req.accessToken,
    nowMs: req.nowMs,
    replay: req.replay,
    skewSeconds: req.maxSkewSeconds ?? 60,
    ...(req.nonce !== undefined ? { nonce: req.nonce } : {}),
  });
  return key;
}

/**
 * An in-process replay cache (shared/expiring-cache.ts): each id is kept until its proof could no
 * longer verify. Bounded; when it is full of live ids it refuses new proofs (answers "used")
 * rather than forget one early: a flood fails closed.
 */
export class MemoryReplayCache implements ReplayCache {
  readonly #seen: ExpiringCache<string, true>;

  constructor(clock: Clock = systemClock, max = 100_000) {
    this.#seen = new ExpiringCache({ max, ttlMs: 120_000, clock, whenFull: "refuse" });
  }

  use(id: string, expiresAtMs: number): boolean {
    if (this.#seen.has(id)) return false;
    return this.#seen.setUntil(id, true, expiresAtMs);
  }
}
