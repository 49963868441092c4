/**
 * The CLI's OAuth 2.0 client, on `openid-client`: discovery (the metadata's `issuer` must be the
 * one asked for), browser sign-in (authorization code + PKCE S256, loopback redirect per RFC 8252,
 * `state`, RFC 9207 `iss` and the ID token's `nonce` checked), device code (RFC 8628, `slow_down`
 * honoured), service principals (client secret or `private_key_jwt`), refresh-token grants for a
 * resource (RFC 8707), optionally DPoP-bound (RFC 9449) to the SSH key being certified.
 */
import { createPrivateKey, createPublicKey, type KeyObject, type webcrypto } from "node:crypto";
import { createServer } from "node:http";
import * as oidc from "openid-client";
import { CLI_CLIENT_ID } from "../../shared/well-known.ts";
import { ServiceError } from "./errors.ts";
import { http } from "./http.ts";

export type OidcMetadata = oidc.ServerMetadata & {
  readonly issuer: string;
  readonly token_endpoint: string;
  readonly authorization_endpoint: string;
  readonly jwks_uri: string;
};

export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in: number;
  readonly refresh_token?: string;
  readonly id_token?: string;
  readonly scope?: string;
}

export interface Connection {
  readonly metadata: OidcMetadata;
  readonly caFile?: string;
  /** openid-client's view of the server for the CLI's own public client. */
  readonly config: oidc.Configuration;
}

/** openid-client's requests go through the CLI's HTTP client, which trusts the cloud's own CA file. */
function fetchWith(caFile: string | undefined): oidc.CustomFetch {
  return async (url, options) => {
    const headers: Record<string, string> = {};
    new Headers(options.headers as ConstructorParameters<typeof Headers>[0]).forEach((v, k) => {
      headers[k] = v;
    });
    const res = await http(url, {
      method: options.method as "GET" | "POST",
      headers,
      ...(options.body === undefined || options.body === null ? {} : { rawBody: String(options.body) }),
      ...(caFile ? { caFile } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      raw: true,
    });
    const out = new Headers();
    for (const [k, v] of Object.entries(res.headers))
      if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(", ") : v);
    return new Response(res.status === 204 ? null : (res.body as string), {
      status: res.status,
      headers: out,
    });
  };
}

function configure(
  config: oidc.Configuration,
  endpoint: string,
  caFile: string | undefined,
): oidc.Configuration {
  config[oidc.customFetch] = fetchWith(caFile);
  // Plain http only ever reaches a loopback endpoint (clouds.ts refuses anything else).
  if (endpoint.startsWith("http:")) oidc.allowInsecureRequests(config);
  return config;
}

/** The issuer lives at `<endpoint>/oauth2`; openid-client refuses metadata naming another issuer. */
export async function discover(endpoint: string, caFile?: string): Promise<Connection> {
  const issuer = new URL(`${endpoint}/oauth2`);
  const config = await oauthCall("discovery", () =>
    oidc.discovery(issuer, "unused", undefined, oidc.None(), {
      [oidc.customFetch]: fetchWith(caFile),
      ...(endpoint.startsWith("http:") ? { execute: [oidc.allowInsecureRequests] } : {}),
    }),
  );
  return connectionFor(config.serverMetadata() as OidcMetadata, endpoint, caFile);
}

function connectionFor(metadata: OidcMetadata, endpoint: string, caFile: string | undefined): Connection {
  const config = configure(
    new oidc.Configuration(metadata, CLI_CLIENT_ID, undefined, oidc.None()),
    endpoint,
    caFile,
  );
  return { metadata, config, ...(caFile ? { caFile } : {}) };
}

/** A configuration for another client id on the same server (service principals, or the CLI's). */
function forClient(conn: Connection, clientId: string, auth: oidc.ClientAuth): oidc.Configuration {
  const endpoint = new URL(conn.metadata.issuer).origin;
  return configure(new oidc.Configuration(conn.metadata, clientId, undefined, auth), endpoint, conn.caFile);
}

/** openid-client's errors as the CLI's: the service's OAuth error code and text, with the status. */
async function oauthCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ServiceError) throw error;
    if (error instanceof oidc.ResponseBodyError) {
      const detail = `${error.error}${error.error_description ? `: ${error.error_description}` : ""}`;
      throw new ServiceError(error.status, undefined, `${what} failed (HTTP ${error.status}): ${detail}`, {
        cause: error,
        details: { error: error.error },
      });
    }
    // A 5xx answer (the service's store down or full: 503 temporarily_unavailable) is "try again
    // later", not a failed sign-in: its status and OAuth error are passed on.
    if (error instanceof oidc.ClientError && error.cause instanceof Response && error.cause.status >= 500) {
      const res = error.cause;
      let detail = "";
      try {
        const body = (await res.clone().json()) as { error?: unknown; error_description?: unknown };
        if (typeof body.error === "string")
          detail = `: ${body.error}${typeof body.error_description === "string" ? ` (${body.error_description})` : ""}`;
      } catch {
        // not JSON: the status says enough
      }
      throw new ServiceError(res.status, undefined, `${what} failed (HTTP ${res.status})${detail}`, {
        cause: error,
      });
    }
    if (error instanceof oidc.AuthorizationResponseError)
      throw new ServiceError(401, "ERR_SIGN_IN_FAILED", `sign-in failed: ${error.error}`, { cause: error });
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof ServiceError) throw cause;
    throw new ServiceError(502, "ERR_SIGN_IN_FAILED", `${what} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

export interface BrowserSignIn {
  readonly clientId: string;
  readonly scope: string;
  /** Called with the URL to open; returns false when no browser could be started. */
  readonly openBrowser: (url: string) => Promise<boolean>;
  readonly print: (line: string) => void;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /** Extra authorization parameters, e.g. `acr_values=mfa` for a step-up. */
  readonly extraParams?: Readonly<Record<string, string>>;
}

/** Authorization code + PKCE with a one-shot loopback listener on 127.0.0.1 (RFC 8252 §7.3). */
export async function signInWithBrowser(conn: Connection, opts: BrowserSignIn): Promise<TokenResponse> {
  const config = forClient(conn, opts.clientId, oidc.None());
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const server = createServer();
  const received = new Promise<URL>((resolve) => {
    server.on("request", (req, res) => {
      const url = new URL(req.url ?? "/", `http://127.0.0.1:${(server.address() as { port: number }).port}`);
      if (url.pathname !== "/callback") {
        res.writeHead(404).end();
        return;
      }
      const done = url.searchParams.get("state") === state;
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(
        `<!doctype html><title>hostpass</title><p>${done ? "Signed in. You can close this window and return to the terminal." : "Unexpected response; return to the terminal."}</p>`,
      );
      if (done) resolve(url);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const redirectUri = `http://127.0.0.1:${(server.address() as { port: number }).port}/callback`;
    const authorize = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: opts.scope,
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      prompt: "login",
      ...opts.extraParams,
    });
    const opened = await opts.openBrowser(authorize.href);
    opts.print(
      opened
        ? `A web browser has been opened at ${authorize.origin}. Please continue the sign-in in the web browser. If no web browser is available, or it fails to open, use device code sign-in with \`hostpass login --use-device-code\`.`
        : `No web browser could be opened on this machine. Open this URL in a browser on this machine to sign in:\n${authorize.href}\nOn a machine without a browser, press Ctrl-C and run \`hostpass login --use-device-code\` instead.`,
    );
    const callback = await withTimeout(
      received,
      opts.timeoutMs ?? 300_000,
      opts.signal,
      "the browser sign-in",
    );
    const error = callback.searchParams.get("error");
    if (error) {
      const description = callback.searchParams.get("error_description");
      throw new ServiceError(
        401,
        "ERR_SIGN_IN_FAILED",
        `sign-in failed: ${error}${description ? ` (${description})` : ""}`,
      );
    }
    const tokens = await oauthCall("token request", () =>
      oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      }),
    );
    return tokens as TokenResponse;
  } finally {
    server.close();
    server.closeAllConnections();
  }
}

export interface DeviceSignIn {
  readonly clientId: string;
  readonly scope: string;
  readonly print: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** RFC 8628: show the code, poll at the server's interval (openid-client adds 5 s on `slow_down`). */
export async function signInWithDeviceCode(conn: Connection, opts: DeviceSignIn): Promise<TokenResponse> {
  if (!conn.metadata.device_authorization_endpoint)
    throw new ServiceError(501, undefined, "the service does not offer device code sign-in");
  const config = forClient(conn, opts.clientId, oidc.None());
  const start = await oauthCall("device authorization", () =>
    oidc.initiateDeviceAuthorization(config, { scope: opts.scope }),
  );
  opts.print(
    `To sign in, use a web browser to open the page ${start.verification_uri} and enter the code ${start.user_code} to authenticate.`,
  );
  try {
    const tokens = await oidc.pollDeviceAuthorizationGrant(config, start, undefined, {
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return tokens as TokenResponse;
  } catch (error) {
    if (opts.signal?.aborted) throw new ServiceError(499, "ERR_CANCELLED", "sign-in cancelled");
    if (error instanceof oidc.ResponseBodyError && error.error === "expired_token")
      throw new ServiceError(
        401,
        "ERR_SIGN_IN_EXPIRED",
        "the device code expired before sign-in completed; run `hostpass login --use-device-code` again",
      );
    return oauthCall("device code sign-in", () => Promise.reject(error));
  }
}

export type ClientCredential = { readonly secret: string } | { readonly privateKeyPem: string };

/**
 * Client credentials for a service principal: `client_secret_post` or `private_key_jwt`;
 * `dpopKey` binds the token (RFC 9449), as Linux VM Sign-In requires.
 */
export async function signInServicePrincipal(
  conn: Connection,
  appId: string,
  credential: ClientCredential,
  resource: string,
  scope: string,
  dpopKey?: KeyObject,
): Promise<TokenResponse> {
  const auth =
    "secret" in credential
      ? oidc.ClientSecretPost(credential.secret)
      : oidc.PrivateKeyJwt(await assertionKey(credential.privateKeyPem));
  const config = forClient(conn, appId, auth);
  const DPoP = dpopKey ? dpopHandle(config, dpopKey) : undefined;
  return (await oauthCall("token request", () =>
    oidc.clientCredentialsGrant(config, { resource, scope }, DPoP ? { DPoP } : {}),
  )) as TokenResponse;
}

/** The certificate credential's private key as WebCrypto wants it: EdDSA, ES256/384/512 or PS256. */
async function assertionKey(pem: string): Promise<webcrypto.CryptoKey> {
  const key = createPrivateKey(pem);
  return toSigningCryptoKey(key);
}

function toSigningCryptoKey(key: KeyObject): webcrypto.CryptoKey {
  const type = key.asymmetricKeyType;
  if (type === "ed25519") return key.toCryptoKey("Ed25519", false, ["sign"]) as webcrypto.CryptoKey;
  if (type === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const namedCurve = curve === "secp384r1" ? "P-384" : curve === "secp521r1" ? "P-521" : "P-256";
    return key.toCryptoKey({ name: "ECDSA", namedCurve }, false, ["sign"]) as webcrypto.CryptoKey;
  }
  return key.toCryptoKey({ name: "RSA-PSS", hash: "SHA-256" }, false, ["sign"]) as webcrypto.CryptoKey;
}

/** Exchanges a refresh token (which rotates) for an access token to `resource`; `dpopKey` binds it. */
export async function refresh(
  conn: Connection,
  clientId: string,
  refreshToken: string,
  resource: string,
  scope: string,
  dpopKey?: KeyObject,
): Promise<TokenResponse> {
  const config = clientId === CLI_CLIENT_ID ? conn.config : forClient(conn, clientId, oidc.None());
  const DPoP = dpopKey ? dpopHandle(config, dpopKey) : undefined;
  return (await oauthCall("token request", () =>
    oidc.refreshTokenGrant(config, refreshToken, { resource, scope }, DPoP ? { DPoP } : {}),
  )) as TokenResponse;
}

/** A DPoP handle signing with `key` (Ed25519, ECDSA P-256/384/521 or RSA as PS256). */
function dpopHandle(config: oidc.Configuration, key: KeyObject): oidc.DPoPHandle {
  return oidc.getDPoPHandle(config, {
    privateKey: toSigningCryptoKey(key),
    publicKey: createPublicKey(key).toCryptoKey(verifyAlgorithm(key), true, [
      "verify",
    ]) as webcrypto.CryptoKey,
  });
}

function verifyAlgorithm(key: KeyObject): Parameters<KeyObject["toCryptoKey"]>[0] {
  const type = key.asymmetricKeyType;
  if (type === "ed25519") return "Ed25519";
  if (type === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return {
      name: "ECDSA",
      namedCurve: curve === "secp384r1" ? "P-384" : curve === "secp521r1" ? "P-521" : "P-256",
    };
  }
  return { name: "RSA-PSS", hash: "SHA-256" };
}

export async function revoke(conn: Connection, clientId: string, token: string): Promise<void> {
  if (!conn.metadata.revocation_endpoint) return;
  await oauthCall("revocation", () =>
    oidc.tokenRevocation(forClient(conn, clientId, oidc.None()), token, { token_type_hint: "refresh_token" }),
  );
}

/** The claims of a JWT, without verifying it (the CLI only reads its own tokens for display). */
export function peekClaims(jwt: string): Record<string, unknown> {
  const part = jwt.split(".")[1];
  if (!part) return {};
  try {
    return JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}

async function withTimeout<T>(
  p: Promise<T>,
  ms: number,
  signal: AbortSignal | undefined,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ServiceError(
            408,
            "ERR_SIGN_IN_TIMEOUT",
            `${what} did not finish in time; on a machine without a browser use \`hostpass login --use-device-code\``,
          ),
        ),
      ms,
    );
    signal?.addEventListener(
      "abort",
      () => reject(new ServiceError(499, "ERR_CANCELLED", `${what} was cancelled`)),
      {
        once: true,
      },
    );
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
