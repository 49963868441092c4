/**
 * Turns the key store's keys into oidc-provider's `jwks` configuration. oidc-provider signs with
 * the first key that fits the algorithm (its selection sort is stable), so the active key goes
 * first and `next` / `retiring` keys follow: all are published, only the active one signs.
 */
import { SigningKeyError } from "../errors.ts";
import type { SigningKey } from "../types.ts";

export type SigningAlg = "EdDSA" | "ES256";

export interface LoadedSigningKeys {
  readonly alg: SigningAlg;
  readonly activeKid: string;
  /** Private JWKs, active first, each with `alg`, `use` and `kid`. */
  readonly privateJwks: readonly Record<string, string>[];
  /** The same keys' public parts, as published. */
  readonly publicJwks: readonly Record<string, string>[];
}

function algOf(jwk: Readonly<Record<string, string>>): SigningAlg {
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519") return "EdDSA";
  if (jwk.kty === "EC" && jwk.crv === "P-256") return "ES256";
  throw new SigningKeyError("signing keys must be Ed25519 (EdDSA) or P-256 (ES256) JWKs");
}

function publicPart(jwk: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const name of ["kty", "crv", "x", "y", "kid", "alg", "use"]) {
    const value = jwk[name];
    if (value !== undefined) out[name] = value;
  }
  return { ...out };
}

export function loadSigningKeys(keys: readonly SigningKey[]): LoadedSigningKeys {
  const active = keys.filter((key) => key.status === "active");
  if (active.length !== 1 || !active[0]) {
    throw new SigningKeyError("exactly one signing key must be active");
  }
  const alg = algOf(active[0].privateJwk);
  const ordered = [...active, ...keys.filter((key) => key.status !== "active")];
  const kids = new Set<string>();
  const privateJwks = ordered.map(({ privateJwk }) => {
    const kid = privateJwk.kid;
    if (typeof kid !== "string" || kid.length === 0 || kids.has(kid)) {
      throw new SigningKeyError("every signing key needs a unique kid");
    }
    kids.add(kid);
    // One algorithm per deployment: verifiers pin it, so a key of another type could never verify.
    if (algOf(privateJwk) !== alg) throw new SigningKeyError("all signing keys must have the same type");
    if (typeof privateJwk.d !== "string") throw new SigningKeyError("signing keys must be private JWKs");
    return { ...privateJwk, alg, use: "sig", kid };
  });
  return {
    alg,
    activeKid: active[0].privateJwk.kid ?? "",
    privateJwks,
    publicJwks: privateJwks.map(publicPart),
  };
}
