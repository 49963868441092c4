/**
 * JWT access tokens are not stored, so a signature alone cannot tell that the grant behind a token
 * was revoked (code reuse, refresh-token reuse, logout, revocation), that its owner was
 * disabled since, or that the owner's sessions were revoked after it was issued. This check looks
 * all of them up; the CA runs it before every certificate.
 */
import { type Clock, systemClock } from "../../shared/clock.ts";
import { ExpiringCache } from "../../shared/expiring-cache.ts";
import { InvalidAccessTokenError } from "../errors.ts";
import type { AccountSource, OidcStorage } from "../types.ts";
import type { LinuxSignInToken } from "../verify-linux-sign-in-token.ts";
import { predatesSessions } from "./sessions-valid-from.ts";

export async function checkTokenIsLive(
  token: LinuxSignInToken,
  accounts: AccountSource,
  storage: OidcStorage,
): Promise<void> {
  if (token.identityType === "user") {
    if (token.grantId === undefined) throw new InvalidAccessTokenError();
    const [grant, account] = await Promise.all([
      storage.find("Grant", token.grantId),
      accounts.findAccount(token.objectId),
    ]);
    const live =
      grant !== undefined &&
      grant.accountId === token.objectId &&
      grant.clientId === token.clientId &&
      account?.enabled === true &&
      account.tenantId === token.tenantId &&
      !predatesSessions(token.issuedAt, account.sessionsValidFrom);
    if (!live) throw new InvalidAccessTokenError();
    return;
  }
  const sp = await accounts.findServicePrincipal(token.clientId);
  if (
    sp === undefined ||
    !sp.enabled ||
    sp.objectId !== token.objectId ||
    sp.tenantId !== token.tenantId ||
    predatesSessions(token.issuedAt, sp.sessionsValidFrom)
  ) {
    throw new InvalidAccessTokenError();
  }
}

/** How long a positive liveness answer is reused: within the 5 s revocation target (PRODUCT.md §7). */
export const LIVENESS_CACHE_MS = 1000;

/**
 * `checkTokenIsLive` with positive answers reused for LIVENESS_CACHE_MS per (grant or client,
 * principal): a burst of certificate requests costs one grant and account lookup, and a disabled
 * principal or a revoked grant is refused within a second. Failures are never cached.
 */
export function livenessCache(accounts: AccountSource, storage: OidcStorage, now: Clock = systemClock) {
  const live = new ExpiringCache<string, true>({ max: 10_000, ttlMs: LIVENESS_CACHE_MS, clock: now });
  return {
    async check(token: LinuxSignInToken): Promise<void> {
      const key = `${token.identityType}|${token.grantId ?? token.clientId}|${token.objectId}|${token.tenantId}`;
      if (live.get(key)) return;
      await checkTokenIsLive(token, accounts, storage);
      live.set(key, true);
    },
  };
}
