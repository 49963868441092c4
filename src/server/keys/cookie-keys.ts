/**
 * Keys that sign cookies: oidc-provider's session and interaction cookies, and the portal's CSRF
 * tokens. Kept in `<data-dir>/keys/cookie-keys.json` (0600, atomic) so that sign-ins in progress
 * and browser sessions survive a restart. Replicas must share the file.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { ServerStateError } from "../errors.ts";
import { loadOrCreateSecretFile } from "./secret-file.ts";

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

export async function loadOrCreateCookieKeys(dataDir: string): Promise<CookieKeys> {
  const path = join(dataDir, "keys", "cookie-keys.json");
  const fresh = () =>
    `${JSON.stringify({ oidc: [randomBytes(32).toString("base64url")], portal: randomBytes(32).toString("base64url") })}\n`;
  return parse(await loadOrCreateSecretFile(path, fresh), path);
}
