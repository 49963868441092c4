import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { calculateJwkThumbprint, type JWK } from "jose";
import { ServerStateError } from "../errors.ts";
import { writeFileAtomic } from "../lib/atomic-write.ts";

/** The only algorithm the API's tokens may use: pinned, so `none` and HS* confusion cannot happen. */
export const TOKEN_ALGORITHM = "EdDSA";

export interface PublicJwk {
  readonly kty: string;
  readonly crv: string;
  readonly x: string;
  readonly kid: string;
  readonly alg: string;
  readonly use: string;
}

export interface ServiceKeys {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public half as a JWK with `kid`, `alg` and `use`: what /.well-known/jwks.json publishes. */
  readonly publicJwk: Readonly<PublicJwk>;
}

const KEY_FILE = "token-signing-key.pem";

/**
 * Loads the service's token-signing key from the data directory, creating it on first start.
 * Ed25519: small, fast, and has no parameter choices to get wrong. The file is 0600 and written
 * atomically; a key file readable by others is refused rather than used.
 */
export async function loadOrCreateServiceKeys(dataDir: string): Promise<ServiceKeys> {
  const keyDir = join(dataDir, "keys");
  await mkdir(keyDir, { recursive: true, mode: 0o700 });
  const path = join(keyDir, KEY_FILE);
  let pem: string;
  try {
    const info = await stat(path);
    if ((info.mode & 0o077) !== 0) {
      throw new ServerStateError(
        `${path} is readable by other users; make it 0600 (chmod 600) and start again`,
      );
    }
    pem = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    const { privateKey } = generateKeyPairSync("ed25519");
    pem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    await writeFileAtomic(path, pem, 0o600);
  }
  return serviceKeysFromPem(pem);
}

export async function serviceKeysFromPem(pem: string): Promise<ServiceKeys> {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== "ed25519") {
    throw new ServerStateError("the token-signing key is not an Ed25519 key");
  }
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: "jwk" }) as JWK;
  const kid = await calculateJwkThumbprint(jwk, "sha256");
  const publicJwk = Object.freeze({
    kty: String(jwk.kty),
    crv: String(jwk.crv),
    x: String(jwk.x),
    kid,
    alg: TOKEN_ALGORITHM,
    use: "sig",
  });
  return Object.freeze({ kid, privateKey, publicKey, publicJwk });
}
