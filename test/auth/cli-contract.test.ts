/**
 * The requests exactly as src/cli/session/oauth.ts makes them (scope without the resource at
 * sign-in, `prompt=login`, a nonce; the resource and a DPoP proof at refresh).
 */
import assert from "node:assert/strict";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { calculateJwkThumbprint, type JWK, SignJWT } from "jose";
import {
  HOSTPASS_CLI_CLIENT_ID,
  LINUX_VM_SIGN_IN_RESOURCE,
  LINUX_VM_SIGN_IN_SCOPE,
  MANAGEMENT_API_RESOURCE,
  MANAGEMENT_API_SCOPE,
} from "../../src/auth/index.ts";
import { Browser } from "./support/browser.ts";
import { approve, enterCode, poll, startDeviceFlow } from "./support/device.ts";
import { type Harness, startHarness, TENANT } from "./support/harness.ts";
import { authorize, CLI_REDIRECT, pkce, tokenRequest } from "./support/oauth.ts";

const SIGN_IN_SCOPE = "openid profile offline_access";

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>;

describe("the hostpass CLI's requests", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  async function dpopProof(key: ReturnType<typeof generateKeyPairSync>["privateKey"], jwk: JWK) {
    return new SignJWT({ jti: randomUUID(), htm: "POST", htu: `${h.issuer}/token` })
      .setProtectedHeader({ typ: "dpop+jwt", alg: "ES256", jwk })
      .setIssuedAt()
      .sign(key);
  }

  it("signs in without naming the resource, then refreshes for it with a DPoP-bound token", async () => {
    const user = h.accounts.addUser(TENANT, "cli@contoso.example");
    const { verifier, challenge } = pkce();
    const back = await authorize(h, user.id, {
      scope: SIGN_IN_SCOPE,
      resource: undefined,
      prompt: "login",
      nonce: randomUUID(),
      code_challenge: challenge,
      code_challenge_method: "S256",
    });
    const login = await tokenRequest(h, {
      grant_type: "authorization_code",
      code: back.searchParams.get("code") ?? "",
      redirect_uri: CLI_REDIRECT,
      client_id: HOSTPASS_CLI_CLIENT_ID,
      code_verifier: verifier,
    });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    assert.equal(typeof login.body.refresh_token, "string");
    // Redeemed without a DPoP proof: for the management API, never an unbound sign-in token.
    assert.equal(login.body.token_type, "Bearer");
    assert.equal(claimsOf(String(login.body.access_token)).aud, MANAGEMENT_API_RESOURCE);
    await assert.rejects(h.server.verifyLinuxSignInToken(String(login.body.access_token)));

    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = publicKey.export({ format: "jwk" }) as JWK;
    const refreshed = await tokenRequest(
      h,
      {
        grant_type: "refresh_token",
        client_id: HOSTPASS_CLI_CLIENT_ID,
        refresh_token: String(login.body.refresh_token),
        resource: LINUX_VM_SIGN_IN_RESOURCE,
        scope: LINUX_VM_SIGN_IN_SCOPE,
      },
      { dpop: await dpopProof(privateKey, jwk) },
    );
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.equal(refreshed.body.token_type, "DPoP");
    const token = await h.server.verifyLinuxSignInToken(String(refreshed.body.access_token));
    assert.equal(token.confirmationJkt, await calculateJwkThumbprint(jwk));
  });

  it("reaches the management API with the same refresh token: its own audience and scope", async () => {
    const user = h.accounts.addUser(TENANT, "cli-api@contoso.example");
    const { verifier, challenge } = pkce();
    const back = await authorize(h, user.id, {
      scope: SIGN_IN_SCOPE,
      resource: undefined,
      prompt: "login",
      code_challenge: challenge,
      code_challenge_method: "S256",
    });
    const login = await tokenRequest(h, {
      grant_type: "authorization_code",
      code: back.searchParams.get("code") ?? "",
      redirect_uri: CLI_REDIRECT,
      client_id: HOSTPASS_CLI_CLIENT_ID,
      code_verifier: verifier,
    });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    const api = await tokenRequest(h, {
      grant_type: "refresh_token",
      client_id: HOSTPASS_CLI_CLIENT_ID,
      refresh_token: String(login.body.refresh_token),
      resource: MANAGEMENT_API_RESOURCE,
      scope: MANAGEMENT_API_SCOPE,
    });
    assert.equal(api.status, 200, JSON.stringify(api.body));
    const claims = JSON.parse(
      Buffer.from(String(api.body.access_token).split(".")[1] ?? "", "base64url").toString(),
    );
    assert.equal(claims.aud, MANAGEMENT_API_RESOURCE);
    assert.equal(claims.scope, MANAGEMENT_API_SCOPE);
    assert.deepEqual([claims.tid, claims.oid, claims.idtyp], [TENANT, user.id, "user"]);
    await assert.rejects(h.server.verifyLinuxSignInToken(String(api.body.access_token)));
  });

  it("starts the device flow with the sign-in scope only and gets a Linux VM Sign-In token", async () => {
    const user = h.accounts.addUser(TENANT, "cli-device@contoso.example");
    const flow = await startDeviceFlow(h, { scope: SIGN_IN_SCOPE });
    const browser = new Browser();
    const approval = await enterCode(h, browser, flow.user_code);
    const html = await approval.text();
    assert.match(html, /data-field="scopes">[^<]*vm\.login/);
    h.signIn = { accountId: user.id, amr: ["pwd"] };
    await approve(h, browser, flow.user_code, html);
    const tokens = await poll(h, flow.device_code);
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    await h.server.verifyLinuxSignInToken(String(tokens.body.access_token));
  });

  it("refuses a DPoP proof for another endpoint", async () => {
    const user = h.accounts.addUser(TENANT, "dpop@contoso.example");
    const { verifier, challenge } = pkce();
    const back = await authorize(h, user.id, { code_challenge: challenge, code_challenge_method: "S256" });
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = publicKey.export({ format: "jwk" }) as JWK;
    const wrong = await new SignJWT({ jti: randomUUID(), htm: "POST", htu: "https://evil.example/token" })
      .setProtectedHeader({ typ: "dpop+jwt", alg: "ES256", jwk })
      .setIssuedAt()
      .sign(privateKey);
    const result = await tokenRequest(
      h,
      {
        grant_type: "authorization_code",
        code: back.searchParams.get("code") ?? "",
        redirect_uri: CLI_REDIRECT,
        client_id: HOSTPASS_CLI_CLIENT_ID,
        code_verifier: verifier,
      },
      { dpop: wrong },
    );
    assert.equal(result.body.error, "invalid_dpop_proof");
  });
});
