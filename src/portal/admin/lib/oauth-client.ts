/**
 * The portal as an OAuth client of this server's authorization server: authorization code with
 * PKCE (S256), `prompt=login` (a portal sign-in is always a fresh authentication, so signing out
 * of the portal really ends access), the management API as the one resource, RFC 9207 `iss`
 * checked on the way back. Token requests go to the token endpoint in process (ports.ts).
 */
import { createHash, randomBytes } from "node:crypto";
import { MANAGEMENT_API_RESOURCE, MANAGEMENT_API_SCOPE } from "../../../shared/well-known.ts";
import type { AdminDeps, LocalResponse } from "../ports.ts";

export const PORTAL_SCOPE = `openid profile offline_access ${MANAGEMENT_API_SCOPE}`;

/** What the portal keeps of a sign-in, server-side only. `expiresAt` in epoch ms. */
export interface PortalTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresAt: number;
}

/** A pending authorization: what the callback needs to redeem the code. */
export interface PendingAuthorization {
  readonly state: string;
  readonly verifier: string;
  readonly returnTo: string;
}

export class TokenRequestError extends Error {
  readonly status: number;
  readonly oauthError: string;
  constructor(status: number, oauthError: string) {
    super(`token request failed: ${status} ${oauthError}`);
    this.status = status;
    this.oauthError = oauthError;
  }
}

const random = () => randomBytes(32).toString("base64url");

export function newPendingAuthorization(returnTo: string): PendingAuthorization {
  return { state: random(), verifier: random(), returnTo };
}

/** The authorization request URL (a path on this origin) for a pending authorization. */
export function authorizationUrl(
  deps: AdminDeps,
  redirectUri: string,
  pending: PendingAuthorization,
): string {
  const challenge = createHash("sha256").update(pending.verifier).digest("base64url");
  const params = new URLSearchParams({
    client_id: deps.clientId,
    response_type: "code",
    redirect_uri: redirectUri,
    scope: PORTAL_SCOPE,
    resource: MANAGEMENT_API_RESOURCE,
    state: pending.state,
    code_challenge: challenge,
    code_challenge_method: "S256",
    prompt: "login",
  });
  return `${deps.oauthPath}/auth?${params}`;
}

export async function redeemCode(
  deps: AdminDeps,
  input: { code: string; verifier: string; redirectUri: string; ip: string; now: number },
): Promise<PortalTokens> {
  const form = {
    grant_type: "authorization_code",
    code: input.code,
    redirect_uri: input.redirectUri,
    code_verifier: input.verifier,
    client_id: deps.clientId,
    resource: MANAGEMENT_API_RESOURCE,
  };
  return tokensOf(await post(deps, "/token", form, input.ip), input.now);
}

/** Rotates the refresh token (the old one is spent: never call twice with the same token). */
export async function refreshTokens(
  deps: AdminDeps,
  refreshToken: string,
  ip: string,
  now: number,
): Promise<PortalTokens> {
  const form = {
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    client_id: deps.clientId,
    resource: MANAGEMENT_API_RESOURCE,
  };
  return tokensOf(await post(deps, "/token", form, ip), now);
}

/** Revoking the refresh token ends the grant: every access token of this sign-in stops working. */
export async function revokeTokens(deps: AdminDeps, tokens: PortalTokens, ip: string): Promise<void> {
  const form = { token: tokens.refreshToken, token_type_hint: "refresh_token", client_id: deps.clientId };
  const response = await post(deps, "/token/revocation", form, ip);
  if (response.status !== 200) throw new TokenRequestError(response.status, "revocation failed");
}

async function post(
  deps: AdminDeps,
  path: string,
  form: Record<string, string>,
  ip: string,
): Promise<LocalResponse> {
  return deps.http({
    method: "POST",
    url: `${deps.oauthPath}${path}`,
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams(form).toString(),
    remoteAddress: ip,
  });
}

function tokensOf(response: LocalResponse, now: number): PortalTokens {
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(response.body) as Record<string, unknown>;
  } catch {
    // Not JSON: reported below with the status.
  }
  const { access_token, refresh_token, expires_in } = body;
  if (response.status !== 200 || typeof access_token !== "string" || typeof refresh_token !== "string") {
    throw new TokenRequestError(
      response.status,
      typeof body.error === "string" ? body.error : "bad response",
    );
  }
  const lifetime = typeof expires_in === "number" && expires_in > 0 ? expires_in : 300;
  return { accessToken: access_token, refreshToken: refresh_token, expiresAt: now + lifetime * 1000 };
}
