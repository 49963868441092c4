/**
 * Keys that sign cookies: oidc-provider's session and interaction cookies, and the portal's CSRF
 * tokens. Kept in the store, sealed with the key-encryption key (`server_secrets`, like CA keys),
 * so every replica signs and checks with the same keys and sign-ins in progress and browser
 * sessions survive restarts. The first replica to start creates them; a data directory from before
 * (`<data-dir>/keys/cookie-keys.json`) hands its keys over, so nobody is signed out by the upgrade.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { ServerStateError } from "../errors.ts";
import { loadOrCreateSecretFile, readSecretFile } from "./secret-file.ts";

/** The store's sealed secrets (store/repositories/sql-server-secrets.ts). */
export interface SharedSecrets {
  get(name: string): Promise<string | undefined>;
  createIfAbsent(name: string, value: string, nowMs: number): Promise<void>;
}

const SECRET_NAME = "cookie-keys";

export interface CookieKeys {
  /** oidc-provider's `cookies.keys`, newest first (each 43 base64url characters). */
  readonly oidc: readonly string[];
  /** The portal's CSRF key (32 bytes). */
  readonly portal: Uint8Array;
}

const KEY = /^[A-Za-z0-9_-]{43,}$/;

function parse(text: string, path: string): CookieKeys {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ServerStateError(`${path} is not valid JSON`, { cause });
  }
  const { oidc, portal } = (value ?? {}) as { oidc?: unknown; portal?: unknown };
  const keys = Array.isArray(oidc)
    ? oidc.filter((k): k is string => typeof k === "string" && KEY.test(k))
    : [];
  if (keys.length === 0 || typeof portal !== "string" || !KEY.test(portal)) {
    throw new ServerStateError(`${path} does not hold usable cookie keys`);
  }
  return { oidc: keys, portal: new Uint8Array(Buffer.from(portal, "base64url")) };
}

const fresh = () =>
  `${JSON.stringify({ oidc: [randomBytes(32).toString("base64url")], portal: randomBytes(32).toString("base64url") })}\n`;

/** The data directory's own keys (a single process without a shared store). */
export async function loadOrCreateCookieKeys(dataDir: string): Promise<CookieKeys> {
  const path = join(dataDir, "keys", "cookie-keys.json");
  return parse(await loadOrCreateSecretFile(path, fresh), path);
}

/**
 * The keys every replica shares: the store's, else (first start on this store) the data
 * directory's file if it has one, else new ones; whoever stores first wins and all read that.
 */
export async function loadOrCreateSharedCookieKeys(
  secrets: SharedSecrets,
  dataDir: string,
  nowMs: number,
): Promise<CookieKeys> {
  const stored = await secrets.get(SECRET_NAME);
  if (stored !== undefined) return parse(stored, "the store's cookie keys");
  const path = join(dataDir, "keys", "cookie-keys.json");
  const local = await readSecretFile(path);
  if (local !== undefined) parse(local, path); // a broken file fails here, not half-way into the store
  const candidate = local ?? fresh();
  await secrets.createIfAbsent(SECRET_NAME, candidate, nowMs);
  const winner = await secrets.get(SECRET_NAME);
  if (winner === undefined) throw new ServerStateError("the store lost the cookie keys it was given");
  return parse(winner, "the store's cookie keys");
}
