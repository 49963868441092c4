/** OAuth client steps for tests: PKCE, the authorization request, token calls. */
import { createHash, randomBytes } from "node:crypto";
import {
  HOSTPASS_CLI_CLIENT_ID,
  LINUX_VM_SIGN_IN_RESOURCE,
  LINUX_VM_SIGN_IN_SCOPE,
} from "../../../src/auth/index.ts";
import { Browser } from "./browser.ts";
import { type DpopKey, dpopKey } from "./dpop.ts";
import type { Harness } from "./harness.ts";

export const CLI_REDIRECT = "http://127.0.0.1:53682/callback";
export const CLI_SCOPE = `openid profile offline_access ${LINUX_VM_SIGN_IN_SCOPE}`;

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export function authorizeUrl(h: Harness, params: Record<string, string | undefined>): string {
  const url = new URL(`${h.issuer}/auth`);
  const all: Record<string, string | undefined> = {
    client_id: HOSTPASS_CLI_CLIENT_ID,
    response_type: "code",
    redirect_uri: CLI_REDIRECT,
    scope: CLI_SCOPE,
    resource: LINUX_VM_SIGN_IN_RESOURCE,
    state: randomBytes(8).toString("hex"),
    ...params,
  };
  for (const [key, value] of Object.entries(all)) if (value !== undefined) url.searchParams.set(key, value);
  return url.href;
}

export interface TokenResult {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export async function tokenRequest(
  h: Harness,
  params: Record<string, string>,
  headers: Record<string, string> = {},
  path = "/token",
): Promise<TokenResult> {
  const response = await fetch(`${h.issuer}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(params),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Signs `accountId` in through the browser flow and returns the redirect back to the CLI. */
export async function authorize(
  h: Harness,
  accountId: string,
  params: Record<string, string | undefined>,
  browser = new Browser(),
): Promise<URL> {
  h.signIn = { accountId, amr: ["pwd"] };
  const redirect = params.redirect_uri ?? CLI_REDIRECT;
  const location = await browser.follow(authorizeUrl(h, params), (url) => url.split(/[?#]/)[0] === redirect);
  return new URL(location);
}

/**
 * The full CLI login: authorization code with PKCE, then the code exchange, for Linux VM Sign-In:
 * DPoP-bound to a new key unless `dpop` names one, or is `false` (no proof: refused, or redeemed
 * for another resource granted with it).
 */
export async function cliLogin(
  h: Harness,
  accountId: string,
  options: { readonly dpop?: DpopKey | false } = {},
): Promise<TokenResult> {
  const { verifier, challenge } = pkce();
  const back = await authorize(h, accountId, { code_challenge: challenge, code_challenge_method: "S256" });
  const code = back.searchParams.get("code");
  if (code === null) throw new Error(`no code: ${back.href}`);
  return tokenRequest(
    h,
    {
      grant_type: "authorization_code",
      client_id: HOSTPASS_CLI_CLIENT_ID,
      code,
      redirect_uri: CLI_REDIRECT,
      code_verifier: verifier,
    },
    options.dpop === false ? {} : { dpop: await (options.dpop ?? dpopKey()).proof(`${h.issuer}/token`) },
  );
}
