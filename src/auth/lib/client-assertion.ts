/**
 * `private_key_jwt` rules on top of oidc-provider's own (signature, `iss` = `sub` = client id,
 * `aud` one of its accepted values, `exp` and `jti` present, `jti` not seen before):
 *
 * - `exp` at most 5 minutes ahead (and at most 5 minutes after `iat`): a stolen assertion is
 *   useful only briefly, and the replay cache need not remember a `jti` for long;
 * - `aud` a single string, not an array (the 2025 audience-injection findings against RFC 7523:
 *   an assertion made for another server with a list of audiences must not work here);
 * - no member named twice in its header or claims (shared/strict-json.ts);
 * - the replay check is atomic in the store (oidc-provider reads, then writes).
 */
import { createHash } from "node:crypto";
import { errors, type OidcClient, type Provider } from "oidc-provider";
import { jwsHasDuplicateKeys } from "../../shared/strict-json.ts";
import type { OidcStorage } from "../types.ts";

export const MAX_ASSERTION_LIFETIME_SECONDS = 300;

const now = () => Math.floor(Date.now() / 1000);

export function createClientAssertionCheck(clockToleranceSeconds: number) {
  return async function assertJwtClientAuthClaimsAndHeader(
    ctx: { oidc?: { params?: Readonly<Record<string, unknown>> } },
    claims: Readonly<Record<string, unknown>>,
    _header: Readonly<Record<string, unknown>>,
    client: OidcClient,
  ): Promise<void> {
    const assertion = ctx.oidc?.params?.client_assertion;
    if (typeof assertion !== "string" || jwsHasDuplicateKeys(assertion)) {
      throw new errors.InvalidClientAuth("client assertion names a member twice");
    }
    if (typeof claims.aud !== "string") {
      throw new errors.InvalidClientAuth("client assertion aud must be a single string");
    }
    if (claims.sub !== client.clientId) {
      throw new errors.InvalidClientAuth("client assertion sub must be the client_id");
    }
    const { exp, iat } = claims;
    if (typeof exp !== "number" || exp > now() + MAX_ASSERTION_LIFETIME_SECONDS + clockToleranceSeconds) {
      throw new errors.InvalidClientAuth("client assertion exp is too far in the future");
    }
    if (iat !== undefined && (typeof iat !== "number" || exp - iat > MAX_ASSERTION_LIFETIME_SECONDS)) {
      throw new errors.InvalidClientAuth("client assertion lifetime is too long");
    }
  };
}

/** Replaces oidc-provider's read-then-write replay check (client assertions, DPoP proofs). */
export function useAtomicReplayDetection(provider: Provider, storage: OidcStorage): void {
  provider.ReplayDetection.unique = async (iss: string, jti: string, exp: number) => {
    const id = createHash("sha256")
      .update(JSON.stringify([iss, jti]))
      .digest("base64url");
    const ttl = Math.max(1, exp - now());
    return storage.insertIfAbsent("ReplayDetection", id, { jti: id, iss }, ttl);
  };
}
