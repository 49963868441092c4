/**
 * JWT access tokens are not stored, so a signature alone cannot tell that the grant behind a token
 * was revoked (code reuse, refresh-token reuse, logout, revocation) or that its owner was
 * disabled since. This check looks both up; the CA runs it before every certificate.
 */
import { InvalidAccessTokenError } from "../errors.ts";
import type { AccountSource, OidcStorage } from "../types.ts";
import type { LinuxSignInToken } from "../verify-linux-sign-in-token.ts";

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
      account.tenantId === token.tenantId;
    if (!live) throw new InvalidAccessTokenError();
    return;
  }
  const sp = await accounts.findServicePrincipal(token.clientId);
  if (sp === undefined || !sp.enabled || sp.objectId !== token.objectId || sp.tenantId !== token.tenantId) {
    throw new InvalidAccessTokenError();
  }
}
