/** Test double: a `KeyStore` over an array, with helpers to generate and rotate keys. */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import type { KeyStore, SigningKey, SigningKeyStatus } from "../../../src/auth/index.ts";

export function generateSigningJwk(type: "ed25519" | "p256" = "ed25519"): Record<string, string> {
  const { privateKey } =
    type === "ed25519" ? generateKeyPairSync("ed25519") : generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { ...(privateKey.export({ format: "jwk" }) as Record<string, string>), kid: randomUUID() };
}

export class MemoryKeyStore implements KeyStore {
  keys: SigningKey[];

  constructor(type: "ed25519" | "p256" = "ed25519") {
    this.keys = [{ status: "active", privateJwk: generateSigningJwk(type) }];
  }

  add(status: SigningKeyStatus, jwk = generateSigningJwk()): string {
    this.keys.push({ status, privateJwk: jwk });
    return jwk.kid ?? "";
  }

  /** next -> active, active -> retiring. */
  promote(kid: string): void {
    this.keys = this.keys.map((key) => {
      if (key.privateJwk.kid === kid) return { ...key, status: "active" };
      if (key.status === "active") return { ...key, status: "retiring" };
      return key;
    });
  }

  retire(kid: string): void {
    this.keys = this.keys.filter((key) => key.privateJwk.kid !== kid);
  }

  async listSigningKeys() {
    return this.keys;
  }
}
