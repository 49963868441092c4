/**
 * The OAuth 2.0 / OpenID Connect authorization server: oidc-provider (OpenID Certified) with
 * hostpass's rules on top (see lib/). Returns the provider and a plain Node request handler that
 * the HTTP edge mounts at the issuer's path.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Provider } from "oidc-provider";
import { systemClock } from "../shared/clock.ts";
import { ExpiringCache } from "../shared/expiring-cache.ts";
import { InvalidAccessTokenError } from "./errors.ts";
import {
  abortInteraction,
  describeInteraction,
  type FinishInteractionInput,
  finishInteraction,
  type InteractionView,
} from "./interactions.ts";
import { useAtomicReplayDetection } from "./lib/client-assertion.ts";
import { type CliClientOptions, cliClientMetadata, useDirectorySecretCheck } from "./lib/clients.ts";
import { applyDeviceFlowLimits, type DeviceFlowLimits } from "./lib/device-flow.ts";
import { refuseDuplicateKeysInDpop } from "./lib/dpop-duplicate-keys.ts";
import { buildProviderConfig, type TokenLifetimes } from "./lib/provider-config.ts";
import { type LoadedSigningKeys, loadSigningKeys } from "./lib/signing-keys.ts";
import { answerUnavailableWith503 } from "./lib/store-unavailable.ts";
import { livenessCache } from "./lib/token-liveness.ts";
import { type AuthPages, DEFAULT_PAGES } from "./pages.ts";
import type { AccountSource, KeyStore, OidcStorage, ThrottleStore } from "./types.ts";
import { type LinuxSignInToken, verifyLinuxSignInTokenWith } from "./verify-linux-sign-in-token.ts";

export interface AuthorizationServerConfig {
  /** `https://host/oauth2`: the issuer; its path is where the handler is mounted. */
  readonly issuer: string;
  /** Keys that sign the session cookies (newest first), each at least 32 characters. */
  readonly cookieKeys: readonly string[];
  readonly cli?: CliClientOptions;
  /** More first-party clients as oidc-provider client metadata (the portal, later). */
  readonly clients?: readonly Record<string, unknown>[];
  /** Where the sign-in page for an interaction lives. Default `<issuer path>/interaction/<uid>`. */
  readonly interactionUrl?: (uid: string) => string;
  /**
   * Absolute URL of the page where users enter device codes (the portal's), sent as
   * `verification_uri`. Default: oidc-provider's own `<issuer>/device`.
   */
  readonly deviceVerificationUrl?: string;
  /** Trust X-Forwarded-* (only behind a proxy that sets them). */
  readonly trustProxy?: boolean;
  readonly ttl?: Partial<TokenLifetimes>;
  readonly deviceFlow?: Partial<DeviceFlowLimits>;
  /** Leeway for client assertions and token checks; at most 60. Default 15. */
  readonly clockToleranceSeconds?: number;
}

export interface AuthorizationServerDeps {
  readonly accounts: AccountSource;
  readonly keys: KeyStore;
  readonly storage: OidcStorage;
  readonly throttle: ThrottleStore;
  readonly pages?: AuthPages;
  /**
   * Called with every provider built (the first, and each one `reloadKeys` makes), to attach event
   * listeners (sign-in log, internal errors) that must not be lost with a provider.
   */
  readonly observe?: (provider: Provider) => void;
}

export interface AuthorizationServer {
  readonly issuer: string;
  readonly mountPath: string;
  /** The current provider (replaced by `reloadKeys`). */
  readonly provider: Provider;
  /** Serves every request whose path is under `mountPath`; answers 404 otherwise. */
  handler(req: IncomingMessage, res: ServerResponse): void;
  describeInteraction(req: IncomingMessage, res: ServerResponse): Promise<InteractionView>;
  finishInteraction(
    req: IncomingMessage,
    res: ServerResponse,
    input: FinishInteractionInput,
  ): Promise<string>;
  abortInteraction(req: IncomingMessage, res: ServerResponse, description?: string): Promise<string>;
  /** Signature, claims and revocation (grant gone, account or principal disabled). */
  verifyLinuxSignInToken(token: string, options?: { tenantId?: string }): Promise<LinuxSignInToken>;
  /** The published signing keys (public JWKs). */
  publicJwks(): { keys: Record<string, string>[] };
  /** Re-reads the key store and swaps in a provider that publishes and signs accordingly. */
  reloadKeys(): Promise<void>;
}

export const DEFAULT_TTL: TokenLifetimes = {
  accessTokenSeconds: 15 * 60,
  authorizationCodeSeconds: 60,
  idTokenSeconds: 60 * 60,
  refreshTokenSeconds: 14 * 24 * 3600,
  grantSeconds: 90 * 24 * 3600,
  sessionSeconds: 14 * 24 * 3600,
  interactionSeconds: 10 * 60,
};

export const DEFAULT_DEVICE_FLOW: DeviceFlowLimits = {
  intervalSeconds: 5,
  deviceCodeTtlSeconds: 10 * 60,
  maxUserCodeFailures: 5,
  lockoutSeconds: 15 * 60,
};

function checkConfig(config: AuthorizationServerConfig): URL {
  const url = new URL(config.issuer);
  if (url.protocol !== "https:" && !["127.0.0.1", "[::1]", "localhost"].includes(url.hostname)) {
    throw new TypeError("the issuer must be https (http only on loopback, for tests)");
  }
  if (config.cookieKeys.length === 0 || config.cookieKeys.some((k) => k.length < 32)) {
    throw new TypeError("cookieKeys must hold at least one key of 32+ characters");
  }
  const tolerance = config.clockToleranceSeconds ?? 15;
  if (!(tolerance >= 0 && tolerance <= 60)) throw new TypeError("clockToleranceSeconds must be 0..60");
  return url;
}

export async function createAuthorizationServer(
  config: AuthorizationServerConfig,
  deps: AuthorizationServerDeps,
): Promise<AuthorizationServer> {
  const url = checkConfig(config);
  const mountPath = url.pathname.replace(/\/+$/, "");
  const ttl = { ...DEFAULT_TTL, ...config.ttl };
  const device = { ...DEFAULT_DEVICE_FLOW, ...config.deviceFlow };
  const clockTolerance = config.clockToleranceSeconds ?? 15;
  const staticClients = [cliClientMetadata(config.cli), ...(config.clients ?? [])];
  const interactionUrl = config.interactionUrl ?? ((uid: string) => `${mountPath}/interaction/${uid}`);

  const build = (keys: LoadedSigningKeys) => {
    const provider = new Provider(
      config.issuer,
      buildProviderConfig({
        accounts: deps.accounts,
        storage: deps.storage,
        keys,
        pages: deps.pages ?? DEFAULT_PAGES,
        staticClients,
        cliClientId: String(staticClients[0]?.client_id),
        cookieKeys: config.cookieKeys,
        secureCookies: url.protocol === "https:",
        clockToleranceSeconds: clockTolerance,
        ttl,
        device,
        interactionUrl,
      }),
    );
    provider.proxy = config.trustProxy === true;
    useDirectorySecretCheck(provider, deps.accounts);
    useAtomicReplayDetection(provider, deps.storage);
    refuseDuplicateKeysInDpop(provider);
    answerUnavailableWith503(provider);
    applyDeviceFlowLimits(provider, deps.throttle, device, config.deviceVerificationUrl);
    deps.observe?.(provider);
    // One object per key set, so the verifier's imported keys are cached with it.
    const verificationKeys = { keys: keys.publicJwks };
    return { provider, keys, verificationKeys, callback: provider.callback() };
  };
  const liveness = livenessCache(deps.accounts, deps.storage);
  /** Linux VM Sign-In tokens whose signature and claims verified, by hash, until they expire. */
  const verifiedTokens = new ExpiringCache<string, LinuxSignInToken>({
    max: 10_000,
    ttlMs: 3_600_000,
    clock: systemClock,
  });

  let current = build(loadSigningKeys(await deps.keys.listSigningKeys()));

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = req.url ?? "/";
    const under = path === mountPath || path.startsWith(`${mountPath}/`) || path.startsWith(`${mountPath}?`);
    if (!under) {
      res.statusCode = 404;
      res.end();
      return;
    }
    // As Express does for mounted apps: oidc-provider derives its mount path from originalUrl.
    Object.assign(req, { originalUrl: path });
    const rest = path.slice(mountPath.length);
    req.url = rest.startsWith("/") ? rest : `/${rest}`;
    current.callback(req, res);
  };

  return {
    issuer: config.issuer,
    mountPath,
    get provider() {
      return current.provider;
    },
    handler,
    describeInteraction: (req, res) => describeInteraction(current.provider, req, res),
    finishInteraction: (req, res, input) =>
      finishInteraction(current.provider, deps.accounts, req, res, input),
    abortInteraction: (req, res, description) => abortInteraction(current.provider, req, res, description),
    async verifyLinuxSignInToken(token, options = {}) {
      // The signature and claims are checked once per token (by its hash) until it expires; the
      // liveness check (grant, principal, sessions) runs on every call.
      const key = typeof token === "string" ? createHash("sha256").update(token).digest("base64url") : "";
      let verified = key ? verifiedTokens.get(key) : undefined;
      if (verified === undefined) {
        verified = await verifyLinuxSignInTokenWith(token, {
          issuer: config.issuer,
          jwks: current.verificationKeys,
          algorithm: current.keys.alg,
          clockSkewSeconds: Math.min(clockTolerance, 60),
        });
        verifiedTokens.setUntil(key, verified, verified.expiresAt * 1000);
      }
      if (options.tenantId !== undefined && verified.tenantId !== options.tenantId) {
        throw new InvalidAccessTokenError();
      }
      await liveness.check(verified);
      return verified;
    },
    publicJwks: () => ({ keys: current.keys.publicJwks.map((k) => ({ ...k })) }),
    async reloadKeys() {
      current = build(loadSigningKeys(await deps.keys.listSigningKeys()));
      verifiedTokens.clear(); // a key taken out of the set must stop verifying its tokens at once
    },
  };
}
