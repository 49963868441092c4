/**
 * The CLI's side of OAuth 2.0 against the hostpass authorization server: discovery, browser sign-in
 * (authorization code + PKCE S256 with a loopback redirect, RFC 8252), device code (RFC 8628, with
 * `slow_down`), service principals (client secret or `private_key_jwt`), and refresh-token grants
 * for the Linux VM Sign-In resource (RFC 8707), optionally sender-constrained with DPoP.
 */
import { createHash, createPrivateKey, type KeyObject, randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { SignJWT } from "jose";
import { ServiceError } from "./errors.ts";
import { expectOk, http } from "./http.ts";

export interface OidcMetadata {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly device_authorization_endpoint?: string;
  readonly revocation_endpoint?: string;
  readonly end_session_endpoint?: string;
  readonly jwks_uri: string;
}

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
}

/** The issuer lives at `<endpoint>/oauth2`; its metadata at the issuer's well-known path. */
export async function discover(endpoint: string, caFile?: string): Promise<Connection> {
  const url = `${endpoint}/oauth2/.well-known/openid-configuration`;
  const metadata = expectOk(await http(url, caFile ? { caFile } : {}), "discovery") as OidcMetadata;
  if (!metadata?.token_endpoint || !metadata.authorization_endpoint)
    throw new ServiceError(502, undefined, `${url} is not an OpenID Connect discovery document`);
  return { metadata, ...(caFile ? { caFile } : {}) };
}

async function tokenRequest(
  conn: Connection,
  form: Record<string, string | undefined>,
  headers: Record<string, string> = {},
): Promise<TokenResponse> {
  const res = await http(conn.metadata.token_endpoint, {
    form,
    headers,
    ...(conn.caFile ? { caFile: conn.caFile } : {}),
  });
  return expectOk(res, "token request") as TokenResponse;
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export interface BrowserSignIn {
  readonly clientId: string;
  readonly scope: string;
  /** Called with the URL to open; returns false when no browser could be started. */
  readonly openBrowser: (url: string) => Promise<boolean>;
  readonly print: (line: string) => void;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly tenant?: string;
  /** Extra authorization parameters, e.g. `acr_values=mfa` for a step-up. */
  readonly extraParams?: Readonly<Record<string, string>>;
}

/** Authorization code + PKCE with a one-shot loopback listener on 127.0.0.1 (RFC 8252 §7.3). */
export async function signInWithBrowser(conn: Connection, opts: BrowserSignIn): Promise<TokenResponse> {
  const { verifier, challenge } = pkcePair();
  const state = randomBytes(24).toString("base64url");
  const server = createServer();
  const received = new Promise<URLSearchParams>((resolve) => {
    server.on("request", (req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      if (url.pathname !== "/callback") {
        res.writeHead(404).end();
        return;
      }
      const done = url.searchParams.get("state") === state;
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(
        `<!doctype html><title>hostpass</title><p>${done ? "Signed in. You can close this window and return to the terminal." : "Unexpected response; return to the terminal."}</p>`,
      );
      if (done) resolve(url.searchParams);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const port = (server.address() as { port: number }).port;
    const redirectUri = `http://127.0.0.1:${port}/callback`;
    const authorize = new URL(conn.metadata.authorization_endpoint);
    const params: Record<string, string> = {
      client_id: opts.clientId,
      response_type: "code",
      redirect_uri: redirectUri,
      scope: opts.scope,
      state,
      nonce: randomUUID(),
      code_challenge: challenge,
      code_challenge_method: "S256",
      prompt: "login",
    };
    for (const [k, v] of Object.entries({ ...params, ...opts.extraParams })) authorize.searchParams.set(k, v);
    if (!(await opts.openBrowser(authorize.href))) {
      opts.print(`Open this URL in a browser on this machine to sign in:\n${authorize.href}`);
    }
    const callback = await withTimeout(
      received,
      opts.timeoutMs ?? 300_000,
      opts.signal,
      "the browser sign-in",
    );
    const error = callback.get("error");
    if (error)
      throw new ServiceError(
        401,
        "ERR_SIGN_IN_FAILED",
        `sign-in failed: ${error}${callback.get("error_description") ? ` (${callback.get("error_description")})` : ""}`,
      );
    return await tokenRequest(conn, {
      grant_type: "authorization_code",
      code: callback.get("code") ?? "",
      redirect_uri: redirectUri,
      client_id: opts.clientId,
      code_verifier: verifier,
    });
  } finally {
    server.close();
  }
}

export interface DeviceSignIn {
  readonly clientId: string;
  readonly scope: string;
  readonly print: (line: string) => void;
  readonly signal?: AbortSignal;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** RFC 8628: show the code, poll at the server's interval, add 5 s on every `slow_down`. */
export async function signInWithDeviceCode(conn: Connection, opts: DeviceSignIn): Promise<TokenResponse> {
  const endpoint = conn.metadata.device_authorization_endpoint;
  if (!endpoint) throw new ServiceError(501, undefined, "the service does not offer device code sign-in");
  const start = expectOk(
    await http(endpoint, {
      form: { client_id: opts.clientId, scope: opts.scope },
      ...(conn.caFile ? { caFile: conn.caFile } : {}),
    }),
    "device authorization",
  ) as {
    device_code: string;
    user_code: string;
    verification_uri: string;
    verification_uri_complete?: string;
    expires_in: number;
    interval?: number;
  };
  opts.print(
    `To sign in, use a web browser to open the page ${start.verification_uri} and enter the code ${start.user_code} to authenticate.`,
  );
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let interval = (start.interval ?? 5) * 1000;
  const deadline = Date.now() + start.expires_in * 1000;
  while (Date.now() < deadline) {
    if (opts.signal?.aborted) throw new ServiceError(499, "ERR_CANCELLED", "sign-in cancelled");
    await sleep(interval);
    const res = await http(conn.metadata.token_endpoint, {
      form: {
        grant_type: "urn:ietf:params:oauth:grant-type:device_code",
        device_code: start.device_code,
        client_id: opts.clientId,
      },
      ...(conn.caFile ? { caFile: conn.caFile } : {}),
    });
    if (res.status === 200) return res.body as TokenResponse;
    const error = (res.body as { error?: string })?.error;
    if (error === "authorization_pending") continue;
    if (error === "slow_down") {
      interval += 5000;
      continue;
    }
    expectOk(res, "device code sign-in");
  }
  throw new ServiceError(
    401,
    "ERR_SIGN_IN_EXPIRED",
    "the device code expired before sign-in completed; run `hostpass login --use-device-code` again",
  );
}

export type ClientCredential = { readonly secret: string } | { readonly privateKeyPem: string };

/** Client credentials for a service principal: `client_secret_post` or `private_key_jwt`. */
export async function signInServicePrincipal(
  conn: Connection,
  appId: string,
  credential: ClientCredential,
  resource: string,
  scope: string,
): Promise<TokenResponse> {
  const form: Record<string, string> = {
    grant_type: "client_credentials",
    client_id: appId,
    resource,
    scope,
  };
  if ("secret" in credential) form.client_secret = credential.secret;
  else {
    form.client_assertion_type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    form.client_assertion = await clientAssertion(
      createPrivateKey(credential.privateKeyPem),
      appId,
      conn.metadata.token_endpoint,
    );
  }
  return tokenRequest(conn, form);
}

/** A short-lived (2 minute), single-use client assertion (RFC 7523). */
async function clientAssertion(key: KeyObject, appId: string, audience: string): Promise<string> {
  const alg =
    key.asymmetricKeyType === "ed25519" ? "EdDSA" : key.asymmetricKeyType === "ec" ? ecAlg(key) : "PS256";
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg, typ: "JWT" })
    .setIssuer(appId)
    .setSubject(appId)
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + 120)
    .sign(key);
}

function ecAlg(key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve === "secp384r1" ? "ES384" : curve === "secp521r1" ? "ES512" : "ES256";
}

/** Exchanges a refresh token (which rotates) for an access token to `resource`; `dpop` binds it to a key. */
export async function refresh(
  conn: Connection,
  clientId: string,
  refreshToken: string,
  resource: string,
  scope: string,
  dpop?: string,
): Promise<TokenResponse> {
  return tokenRequest(
    conn,
    { grant_type: "refresh_token", client_id: clientId, refresh_token: refreshToken, resource, scope },
    dpop ? { dpop } : {},
  );
}

export async function revoke(conn: Connection, clientId: string, token: string): Promise<void> {
  if (!conn.metadata.revocation_endpoint) return;
  await http(conn.metadata.revocation_endpoint, {
    form: { client_id: clientId, token, token_type_hint: "refresh_token" },
    ...(conn.caFile ? { caFile: conn.caFile } : {}),
  });
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
      () => reject(new ServiceError(408, "ERR_SIGN_IN_TIMEOUT", `${what} did not finish in time`)),
      ms,
    );
    signal?.addEventListener(
      "abort",
      () => reject(new ServiceError(499, "ERR_CANCELLED", `${what} was cancelled`)),
      { once: true },
    );
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
