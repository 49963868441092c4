/**
 * Sign-in, wired: the authorization server (src/auth) at `/oauth2` and the portal (src/portal) at
 * `/portal`, over the directory, the store's sign-in repositories and the data directory's keys.
 *
 * The issuer is the server's own public URL, which is known only once it listens (port 0 in
 * tests), so the authorization server is created by `start(url)` after listening; until then
 * `/oauth2` answers 503 and no API token verifies.
 */

import {
  type AuthorizationServer,
  createAuthorizationServer,
  createMemoryThrottleStore,
  MANAGEMENT_API_RESOURCE,
  portalClientMetadata,
} from "../../auth/index.ts";
import type { AgentRepository, DirectoryRepository } from "../../directory/index.ts";
import { registerPortal } from "../../portal/index.ts";
import type { BackgroundErrors } from "../../shared/background-errors.ts";
import type { Clock } from "../../shared/clock.ts";
import { PORTAL_CLIENT_ID } from "../../shared/well-known.ts";
import type { App } from "../app.ts";
import type { TokenTrust } from "../auth/tokens.ts";
import type { AuditSink } from "../deps.ts";
import { loadOrCreateCookieKeys, loadOrCreateSharedCookieKeys } from "../keys/cookie-keys.ts";
import type { PublicUrl } from "../public-url.ts";
import { directoryAccountSource, type RedirectUrisOf } from "./account-source.ts";
import {
  type FederatedSignInDeps,
  federatedSignInMethods,
  tenantOfIdentityProvider,
} from "./federated-sign-in.ts";
import { recordGrantEvents } from "./grant-events.ts";
import { localHttp } from "./local-http.ts";
import { mountOAuth } from "./mount-oauth.ts";
import { oidcInteractions } from "./oidc-interactions.ts";
import type { SignInStores } from "./ports.ts";
import { createSignInBackend } from "./sign-in-backend.ts";
import { ensureSigningKey } from "./signing-keys.ts";

export const OAUTH_PATH = "/oauth2";
export const PORTAL_PREFIX = "/portal";

export interface SignInOptions {
  readonly dataDir: string;
  readonly directory: DirectoryRepository;
  /**
   * The home tenant first (the bootstrap tenant): named where a record has no account of its own.
   * Every tenant of the directory signs in (account-source.ts, sign-in-backend.ts).
   */
  readonly tenants: () => readonly string[];
  readonly stores: SignInStores;
  /** Served over HTTPS (secure cookies, HSTS). */
  readonly https: boolean;
  /** The portal's clock (default: the system clock). */
  readonly clock?: Clock;
  /** The activity log (users' changes to their own sign-in methods). */
  readonly audit: AuditSink;
  /** Host agents' credentials: each is a confidential client acting as its machine's identity. */
  readonly agents?: Pick<AgentRepository, "findCredential">;
  /** Sign-in through upstream OpenID Connect providers (issue 13); absent: none offered. */
  readonly federation?: FederatedSignInDeps;
  /** Redirect URIs of service principals that are web sign-in clients (issue 13); absent: none. */
  readonly redirectUris?: RedirectUrisOf;
  /** Where the authorization server's internal errors and lost sign-in records are counted. */
  readonly backgroundErrors?: BackgroundErrors;
}

export interface SignIn {
  /** For buildServer's `mount`: the /oauth2 hook and the portal. */
  mount(app: App): void;
  /** What API tokens must match: this issuer and its current keys. */
  trust(): TokenTrust;
  /** Creates the authorization server for the public URL: its issuer is `<public URL>/oauth2`. */
  start(publicUrl: PublicUrl): Promise<AuthorizationServer>;
}

export async function wireSignIn(options: SignInOptions): Promise<SignIn> {
  const { stores } = options;
  const now = options.clock ?? Date.now;
  // Replicas share the cookie keys through the store (sealed); alone, the data directory's file.
  const cookieKeys = stores.serverSecrets
    ? await loadOrCreateSharedCookieKeys(stores.serverSecrets, options.dataDir, now())
    : await loadOrCreateCookieKeys(options.dataDir);
  await ensureSigningKey(stores.signingKeys);
  const accounts = directoryAccountSource(
    options.directory,
    options.tenants,
    undefined,
    options.agents,
    options.redirectUris,
  );
  let server: AuthorizationServer | undefined;
  let origin = "";
  let base: PublicUrl | undefined;
  const started = () => {
    if (server === undefined) throw new TypeError("sign-in used before start()");
    return server;
  };
  const backend = {
    ...createSignInBackend({
      directory: options.directory,
      tenants: options.tenants,
      mfa: stores.mfa,
      signInLog: stores.signInLog,
      oidc: oidcInteractions(started, accounts),
      audit: options.audit,
      ...(options.federation
        ? { tenantOfIdentityProvider: tenantOfIdentityProvider(options.federation.providers) }
        : {}),
    }),
    ...(options.federation ? federatedSignInMethods(options.federation) : {}),
  };
  // Read per request: the origin is known once the server listens.
  const relyingParty = {
    name: "hostpass",
    get id() {
      return origin === "" ? "localhost" : new URL(origin).hostname.replace(/^\[|\]$/g, "");
    },
    get origins() {
      return [origin];
    },
  };
  const trust = memoTrust(() => server);
  return {
    mount(app) {
      mountOAuth(
        app,
        OAUTH_PATH,
        () => server?.handler,
        () => base,
      );
      registerPortal(app, {
        backend,
        relyingParty,
        cookieKey: cookieKeys.portal,
        secureCookies: options.https,
        prefix: PORTAL_PREFIX,
        ...(stores.portalState ? { state: stores.portalState } : {}),
        ...(stores.rateCounters ? { counters: stores.rateCounters } : {}),
        ...(options.clock === undefined ? {} : { now: options.clock }),
        admin: {
          http: localHttp(app),
          clientId: PORTAL_CLIENT_ID,
          oauthPath: OAUTH_PATH,
          issuer: () => `${origin}${OAUTH_PATH}`,
        },
      });
      // The server's own address opens the portal's home.
      app.get("/", { config: { public: true } }, async (_request, reply) =>
        reply.redirect(`${PORTAL_PREFIX}/`, 303),
      );
    },
    trust,
    async start(publicUrl) {
      origin = publicUrl.origin;
      server = await createAuthorizationServer(
        {
          issuer: `${origin}${OAUTH_PATH}`,
          cookieKeys: cookieKeys.oidc,
          interactionUrl: (uid) => `${PORTAL_PREFIX}/interaction/${uid}`,
          deviceVerificationUrl: `${origin}${PORTAL_PREFIX}/device`,
          // mountOAuth sets X-Forwarded-* from the public URL on every request it hands over.
          trustProxy: true,
          clients: [portalClientMetadata(PORTAL_CLIENT_ID, `${origin}${PORTAL_PREFIX}/callback`)],
        },
        {
          accounts,
          keys: stores.signingKeys,
          storage: stores.oidc,
          throttle: stores.throttle ?? createMemoryThrottleStore(),
          observe: (provider) =>
            recordGrantEvents(
              provider,
              stores.signInLog,
              accounts,
              options.tenants,
              options.backgroundErrors,
            ),
        },
      );

      base = publicUrl;
      return server;
    },
  };
}

/** One trust object per provider (reloadKeys swaps it), so the verifier's key set is built once. */
function memoTrust(current: () => AuthorizationServer | undefined): () => TokenTrust {
  let last: { provider: unknown; trust: TokenTrust } | undefined;
  const none: TokenTrust = Object.freeze({ issuer: "", audience: MANAGEMENT_API_RESOURCE, keys: [] });
  return () => {
    const server = current();
    if (server === undefined) return none;
    if (last?.provider !== server.provider) {
      const trust = {
        issuer: server.issuer,
        audience: MANAGEMENT_API_RESOURCE,
        keys: server.publicJwks().keys,
      };
      last = { provider: server.provider, trust: Object.freeze(trust) };
    }
    return last.trust;
  };
}
