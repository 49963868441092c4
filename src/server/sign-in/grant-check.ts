import type { OidcStorage } from "../../auth/index.ts";
import { systemClock } from "../../shared/clock.ts";
import { ExpiringCache } from "../../shared/expiring-cache.ts";
import type { ApiPrincipal } from "../auth/tokens.ts";
import { UnauthenticatedError } from "../errors.ts";

/** How long "this grant is live" is reused: a logout stops API calls within this delay. */
const GRANT_CHECK_MS = 1000;

/**
 * JWT access tokens are not stored, so a signature alone cannot tell that the sign-in behind a
 * user's token was ended (logout, refresh-token reuse, code reuse revoke the grant). This looks
 * the grant up, as the CA's token check does. Service principals' tokens have no grant.
 */
export function grantCheck(storage: OidcStorage): (principal: ApiPrincipal) => Promise<void> {
  const live = new ExpiringCache<string, true>({ max: 10_000, ttlMs: GRANT_CHECK_MS, clock: systemClock });
  return async (principal) => {
    if (principal.type !== "user") return;
    const { grantId } = principal;
    if (grantId === undefined) throw new UnauthenticatedError();
    if (live.get(grantId)) return;
    const grant = await storage.find("Grant", grantId);
    if (grant === undefined || grant.accountId !== principal.objectId) throw new UnauthenticatedError();
    live.set(grantId, true);
  };
}
