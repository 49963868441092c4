/**
 * What a signed-in command needs: the active cloud, its OAuth connection, the default account, and
 * fresh access tokens for a resource (from the cache, by refresh-token rotation, or again with the
 * service principal's credential).
 */
import { readFile } from "node:fs/promises";
import { CLI_CLIENT_ID } from "../../shared/well-known.ts";
import { type Account, defaultAccount, updateAccount, usableToken } from "./accounts.ts";
import { type CloudProfile, showCloud } from "./clouds.ts";
import { configDir } from "./config-dir.ts";
import { NotSignedInError, ServiceError } from "./errors.ts";
import { type Connection, discover, refresh, signInServicePrincipal, type TokenResponse } from "./oauth.ts";

export interface Session {
  readonly dir: string;
  readonly cloud: CloudProfile;
  readonly connection: Connection;
  account: Account;
}

export async function openSession(env: NodeJS.ProcessEnv): Promise<Session> {
  const dir = configDir(env);
  const cloud = await showCloud(dir);
  const account = await defaultAccount(dir, cloud.name);
  const connection = await discover(cloud.endpoint, cloud.caFile);
  return { dir, cloud, connection, account };
}

/** An access token for `resource`; `dpop` (a proof for the token endpoint) binds it to a key. */
export async function accessTokenFor(
  session: Session,
  resource: string,
  scope: string,
  options: { dpop?: () => Promise<string>; fresh?: boolean } = {},
): Promise<TokenResponse> {
  const cached =
    options.fresh || options.dpop ? undefined : usableToken(session.account, resource, Date.now());
  if (cached) return { access_token: cached, token_type: "Bearer", expires_in: 0 };
  const { account, connection } = session;
  let tokens: TokenResponse;
  try {
    if (account.servicePrincipal) {
      const sp = account.servicePrincipal;
      const credential =
        sp.secret !== undefined
          ? { secret: sp.secret }
          : { privateKeyPem: await readFile(sp.certificateFile ?? "", "utf8") };
      tokens = await signInServicePrincipal(connection, sp.appId, credential, resource, scope);
    } else {
      if (!account.refreshToken) throw new NotSignedInError("The cached account has no refresh token");
      tokens = await refresh(
        connection,
        CLI_CLIENT_ID,
        account.refreshToken,
        resource,
        scope,
        options.dpop ? await options.dpop() : undefined,
      );
    }
  } catch (error) {
    if (
      error instanceof ServiceError &&
      (error.status === 400 || error.status === 401) &&
      /invalid_grant/.test(error.message)
    ) {
      throw new NotSignedInError("The sign-in has expired or was revoked", { cause: error });
    }
    throw error;
  }
  const accessTokens = options.dpop
    ? account.accessTokens
    : {
        ...account.accessTokens,
        [resource]: { token: tokens.access_token, expiresAt: Date.now() + tokens.expires_in * 1000 },
      };
  session.account = await updateAccount(session.dir, account, {
    ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
    accessTokens,
  });
  return tokens;
}
