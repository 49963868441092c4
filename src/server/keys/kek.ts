/**
 * The key-encryption key (KEK): 32 bytes that seal private keys and second-factor seeds in the
 * database (src/shared/seal.ts). It never goes into the database itself, so a database dump alone
 * opens nothing. Source, in order: env `HOSTPASS_KEK` (base64 of 32 bytes; for replicas and secret
 * managers), else `<data-dir>/keys/kek` (created 0600 on first start). Token-signing keys, CA keys
 * and TOTP seeds all use this one helper.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { KEK_BYTES } from "../../shared/seal.ts";
import { ServerStateError } from "../errors.ts";
import { loadOrCreateSecretFile, readSecretFile } from "./secret-file.ts";

export const KEK_ENV = "HOSTPASS_KEK";
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function decode(text: string, where: string): Uint8Array {
  const trimmed = text.trim();
  const bytes = BASE64.test(trimmed) ? Buffer.from(trimmed, "base64") : Buffer.alloc(0);
  if (bytes.length !== KEK_BYTES) {
    throw new ServerStateError(`${where} must be the base64 encoding of ${KEK_BYTES} random bytes`);
  }
  return new Uint8Array(bytes);
}

export function kekPath(dataDir: string): string {
  return join(dataDir, "keys", "kek");
}

export async function loadOrCreateKek(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Uint8Array> {
  const fromEnv = env[KEK_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return decode(fromEnv, KEK_ENV);
  const path = kekPath(dataDir);
  const text = await loadOrCreateSecretFile(path, () => `${randomBytes(KEK_BYTES).toString("base64")}\n`);
  return decode(text, path);
}

/**
 * The existing key-encryption key, for operator tools on the server machine (`hostpass audit
 * verify`): from `HOSTPASS_KEK` or the data directory, never created.
 */
export async function loadKek(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<Uint8Array> {
  const fromEnv = env[KEK_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return decode(fromEnv, KEK_ENV);
  const path = kekPath(dataDir);
  const text = await readSecretFile(path);
  if (text === undefined) {
    throw new ServerStateError(`no key-encryption key: ${path} does not exist and ${KEK_ENV} is not set`);
  }
  return decode(text, path);
}
