/**
 * hostpass as a relying party of an organisation's OpenID Connect provider, on `openid-client`:
 * discovery (the document's `issuer` must be the configured one exactly), authorization code with
 * PKCE S256, `state` and `nonce`, RFC 9207 `iss` in the response (checked when the provider
 * announces it, and refused when it names another issuer), the ID token's signature, issuer,
 * audience, expiry and nonce. A provider with a private CA is reached with that CA only.
 */
import { webcrypto } from "node:crypto";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import * as oidc from "openid-client";
import { FederatedSignInFailedError, type IdentityProvider } from "../../federation/index.ts";

/** What the browser's round trip needs kept server-side (never sent to the browser). */
export interface PendingUpstream {
  readonly providerId: string;
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  readonly redirectUri: string;
}

/** How hostpass authenticates to the provider's token endpoint (whichever the method needs). */
export interface ClientCredentials {
  readonly secret?: string;
  /** private_key_jwt: the private JWK (JSON) hostpass made for this provider. */
  readonly signingKey?: string;
}

export interface UpstreamClient {
  start(
    provider: IdentityProvider,
    credentials: ClientCredentials,
    redirectUri: string,
  ): Promise<{ url: string; pending: PendingUpstream }>;
  /** The verified ID token claims (merged with userinfo when the groups claim is only there). */
  finish(
    provider: IdentityProvider,
    credentials: ClientCredentials,
    callbackUrl: URL,
    pending: PendingUpstream,
  ): Promise<Record<string, unknown>>;
}

/** Discovery is fetched once per provider version and reused for this long. */
const DISCOVERY_TTL_MS = 5 * 60_000;

function fetchWithCa(ca: string | undefined): oidc.CustomFetch {
  return (url, options) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const send = target.protocol === "https:" ? httpsRequest : httpRequest;
      const headers: Record<string, string> = {};
      new Headers(options.headers as ConstructorParameters<typeof Headers>[0]).forEach((v, k) => {
        headers[k] = v;
      });
      const req = send(
        target,
        {
          method: options.method,
          headers,
          timeout: 10_000,
          ...(ca ? { ca } : {}),
          signal: options.signal ?? undefined,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            size += c.length;
            if (size > 1024 * 1024) req.destroy(new Error("the provider's answer is larger than 1 MiB"));
            else chunks.push(c);
          });
          res.on("end", () => {
            const out = new Headers();
            for (const [k, v] of Object.entries(res.headers))
              if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(", ") : v);
            const status = res.statusCode ?? 0;
            resolve(
              new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), {
                status,
                headers: out,
              }),
            );
          });
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no answer from ${target.origin} within 10 s`)));
      req.on("error", reject);
      req.end(options.body === undefined || options.body === null ? undefined : String(options.body));
    });
}

async function clientAuth(
  provider: IdentityProvider,
  credentials: ClientCredentials,
): Promise<oidc.ClientAuth> {
  if (provider.clientAuth === "none") return oidc.None();
  if (provider.clientAuth === "client_secret_post") return oidc.ClientSecretPost(credentials.secret);
  if (provider.clientAuth === "private_key_jwt") {
    if (credentials.signingKey === undefined || provider.signingKey === undefined)
      throw new FederatedSignInFailedError(`hostpass has no signing key for ${provider.displayName}`);
    const jwk = JSON.parse(credentials.signingKey) as webcrypto.JsonWebKey;
    const key = await webcrypto.subtle.importKey(
      "jwk",
      jwk,
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["sign"],
    );
    // RFC 7523 assertion: iss = sub = client id, aud = the provider's issuer, jti, short expiry.
    return oidc.PrivateKeyJwt({ key, kid: provider.signingKey.kid });
  }
  return oidc.ClientSecretBasic(credentials.secret);
}

/** The failure as hostpass shows it: which check failed, in openid-client's words (never a secret). */
function failed(provider: IdentityProvider, error: unknown): FederatedSignInFailedError {
  if (error instanceof FederatedSignInFailedError) return error;
  let detail = error instanceof Error ? error.message : "unknown error";
  if (error instanceof oidc.ResponseBodyError)
    detail = `${error.error}${error.error_description ? `: ${error.error_description}` : ""}`;
  else if (error instanceof oidc.AuthorizationResponseError)
    detail = `${error.error}${error.error_description ? `: ${error.error_description}` : ""}`;
  const cause = (error as { cause?: unknown })?.cause;
  if (cause instanceof Error && !detail.includes(cause.message)) detail += ` (${cause.message})`;
  return new FederatedSignInFailedError(
    `the sign-in at ${provider.displayName} could not be verified: ${detail.replace(/[\p{Cc}]/gu, " ").slice(0, 300)}`,
    { cause: error },
  );
}

export function upstreamClient(): UpstreamClient {
  const configs = new Map<string, { at: number; config: Promise<oidc.Configuration> }>();
  const configFor = (
    provider: IdentityProvider,
    credentials: ClientCredentials,
  ): Promise<oidc.Configuration> => {
    const key = `${provider.id} ${provider.updatedAt.getTime()}`;
    const cached = configs.get(key);
    if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.config;
    const insecure = provider.issuer.startsWith("http:");
    const config = clientAuth(provider, credentials).then((auth) =>
      oidc.discovery(new URL(provider.issuer), provider.clientId, undefined, auth, {
        [oidc.customFetch]: fetchWithCa(provider.caCertificate),
        // The ID token's signature is checked against the provider's keys too (openid-client trusts
        // TLS alone for a token from the token endpoint unless told otherwise).
        execute: [oidc.enableNonRepudiationChecks, ...(insecure ? [oidc.allowInsecureRequests] : [])],
      }),
    );
    config.catch(() => configs.delete(key));
    configs.set(key, { at: Date.now(), config });
    return config;
  };
  return {
    async start(provider, credentials, redirectUri) {
      try {
        const config = await configFor(provider, credentials);
        const verifier = oidc.randomPKCECodeVerifier();
        const state = oidc.randomState();
        const nonce = oidc.randomNonce();
        const url = oidc.buildAuthorizationUrl(config, {
          redirect_uri: redirectUri,
          scope: provider.scopes.join(" "),
          response_type: "code",
          code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
          code_challenge_method: "S256",
          state,
          nonce,
        });
        return { url: url.href, pending: { providerId: provider.id, state, nonce, verifier, redirectUri } };
      } catch (error) {
        throw failed(provider, error);
      }
    },
    async finish(provider, credentials, callbackUrl, pending) {
      try {
        const config = await configFor(provider, credentials);
        const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims();
        if (claims === undefined)
          throw new FederatedSignInFailedError(`${provider.displayName} sent no ID token`);
        const out: Record<string, unknown> = { ...claims };
        // Providers that follow OIDC Core to the letter release scope claims (profile, groups)
        // at userinfo only when an access token is issued: fetch it when a mapped one is missing.
        const mapped = Object.values(provider.claims).filter((c): c is string => typeof c === "string");
        if (mapped.some((c) => out[c] === undefined) && config.serverMetadata().userinfo_endpoint) {
          const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
          for (const c of mapped) if (out[c] === undefined && info[c] !== undefined) out[c] = info[c];
        }
        return out;
      } catch (error) {
        throw failed(provider, error);
      }
    },
  };
}
