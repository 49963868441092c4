/**
 * Signs a compact JWS over header and payload text exactly as given, for inputs a JWT library
 * will not produce (a member named twice). ES256 (P-256, IEEE P1363 signature) or EdDSA (Ed25519).
 */
import { type KeyObject, sign } from "node:crypto";

export function signRawJws(headerJson: string, payloadJson: string, key: KeyObject): string {
  const input = `${Buffer.from(headerJson).toString("base64url")}.${Buffer.from(payloadJson).toString("base64url")}`;
  const signature =
    key.asymmetricKeyType === "ed25519"
      ? sign(null, Buffer.from(input), key)
      : sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" });
  return `${input}.${signature.toString("base64url")}`;
}
