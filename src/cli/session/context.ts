/**
 * What a signed-in command needs: the active cloud, its OAuth connection, the default account, and
 * fresh access tokens for a resource (from the cache, by refresh-token rotation, or again with the
 * service principal's credential). Refreshing happens under a lock shared by every hostpass
 * process of this OS user, re-reading the cache first: parallel commands (scp and rsync through
 * `ssh config`) reuse one another's tokens instead of redeeming the same refresh token twice.
 */
import type { KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { CLI_CLIENT_ID } from "../../shared/well-known.ts";
import {
  type Account,
  defaultAccount,
  loadAccounts,
  sameIdentity,
  updateAccount,
  usableToken,
} from "./accounts.ts";
import { type CloudProfile, showCloud } from "./clouds.ts";
import { configDir } from "./config-dir.ts";
import { NotSignedInError, ServiceError } from "./errors.ts";
import type { Connection, TokenResponse } from "./oauth.ts";
import { withTokenLock } from "./token-lock.ts";

export interface Session {
  readonly dir: string;
  readonly cloud: CloudProfile;
  account: Account;
  /** The OAuth connection, discovered on first use (commands with a cached token never need it). */
  connection(): Promise<Connection>;
}

export async function openSession(env: NodeJS.ProcessEnv): Promise<Session> {
  const dir = configDir(env);
  const cloud = await showCloud(dir);
  return sessionFor(dir, cloud, await defaultAccount(dir, cloud.name));
}

function sessionFor(dir: string, cloud: CloudProfile, account: Account): Session {
  let connection: Promise<Connection> | undefined;
  return {
    dir,
    cloud,
    account,
    connection() {
      // openid-client is loaded only when a token must be redeemed (start-up time: `ssh vm`).
      connection ??= import("./oauth.ts").then((m) => m.discover(cloud.endpoint, cloud.caFile));
      return connection;
    },
  };
}

/**
 * A session for one cached account (not necessarily the default): what a renewal started by
 * `ssh config` uses, so it renews for the identity the config was written for.
 */
export async function openSessionFor(dir: string, cloudName: string, objectId: string): Promise<Session> {
  const cloud = await showCloud(dir, cloudName);
  const account = (await loadAccounts(dir)).find((a) => a.cloud === cloudName && a.objectId === objectId);
  if (!account)
    throw new NotSignedInError(`The account ${objectId} is no longer signed in to cloud ${cloudName}`);
  return sessionFor(dir, cloud, account);
}

export interface TokenOptions {
  /** Bind the token to this key (DPoP); such tokens are never cached. */
  readonly dpopKey?: KeyObject;
  /** Do not use a cached token (the service refused it). */
  readonly fresh?: boolean;
}

/** An access token for `resource`: cached, or refreshed under the cross-process token lock. */
export async function accessTokenFor(
  session: Session,
  resource: string,
  scope: string,
  options: TokenOptions = {},
): Promise<TokenResponse> {
  const cacheable = !options.fresh && !options.dpopKey;
  const cached = cacheable ? usableToken(session.account, resource, Date.now()) : undefined;
  if (cached) return { access_token: cached, token_type: "Bearer", expires_in: 0 };
  return withTokenLock(session.dir, async () => {
    // Another process may have refreshed while this one waited: take its tokens.
    const current = (await loadAccounts(session.dir)).find((a) => sameIdentity(a, session.account));
    if (!current) throw new NotSignedInError("The account was signed out");
    session.account = current;
    const theirs = cacheable ? usableToken(current, resource, Date.now()) : undefined;
    if (theirs) return { access_token: theirs, token_type: "Bearer", expires_in: 0 };
    const tokens = await redeem(session, current, resource, scope, options.dpopKey);
    const accessTokens = options.dpopKey
      ? current.accessTokens
      : {
          ...current.accessTokens,
          [resource]: { token: tokens.access_token, expiresAt: Date.now() + tokens.expires_in * 1000 },
        };
    session.account = await updateAccount(session.dir, current, {
      ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
      accessTokens,
    });
    return tokens;
  });
}

async function redeem(
  session: Session,
  account: Account,
  resource: string,
  scope: string,
  dpopKey: KeyObject | undefined,
): Promise<TokenResponse> {
  const connection = await session.connection();
  const { refresh, signInServicePrincipal } = await import("./oauth.ts");
  try {
    if (account.servicePrincipal) {
      const sp = account.servicePrincipal;
      const credential =
        sp.secret !== undefined
          ? { secret: sp.secret }
          : { privateKeyPem: await readFile(sp.certificateFile ?? "", "utf8") };
      return await signInServicePrincipal(connection, sp.appId, credential, resource, scope, dpopKey);
    }
    if (!account.refreshToken) throw new NotSignedInError("The cached account has no refresh token");
    return await refresh(connection, CLI_CLIENT_ID, account.refreshToken, resource, scope, dpopKey);
  } catch (error) {
    if (
      error instanceof ServiceError &&
      (error.status === 400 || error.status === 401) &&
      /invalid_grant/.test(error.message)
    )
      throw new NotSignedInError("The sign-in has expired or was revoked", { cause: error });
    throw error;
  }
}
