/**
 * DPoP proofs (RFC 9449) for token requests in tests: Linux VM Sign-In tokens are issued only
 * DPoP-bound, so a test that wants one sends a proof made with a key it holds.
 */
import { generateKeyPairSync, type KeyObject, randomUUID } from "node:crypto";
import { calculateJwkThumbprint, type JWK, SignJWT } from "jose";

export interface DpopKey {
  readonly privateKey: KeyObject;
  readonly jwk: JWK;
  /** The key's RFC 7638 thumbprint: what a token bound to it carries as `cnf.jkt`. */
  thumbprint(): Promise<string>;
  /** A fresh proof for `POST <url>`. */
  proof(url: string): Promise<string>;
}

export function dpopKey(): DpopKey {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = publicKey.export({ format: "jwk" }) as JWK;
  return {
    privateKey,
    jwk,
    thumbprint: () => calculateJwkThumbprint(jwk),
    proof: (url) =>
      new SignJWT({ jti: randomUUID(), htm: "POST", htu: url })
        .setProtectedHeader({ typ: "dpop+jwt", alg: "ES256", jwk })
        .setIssuedAt()
        .sign(privateKey),
  };
}
