/**
 * The authorization server honours a principal's sessions-valid-from time (issue 11 item 4):
 * after a revocation no refresh token, code, access token or browser session from before it is
 * good for anything, while a sign-in after it works. The real oidc-provider, the directory
 * replaced by the memory account source.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  HOSTPASS_CLI_CLIENT_ID,
  InvalidAccessTokenError,
  LINUX_VM_SIGN_IN_RESOURCE,
  LINUX_VM_SIGN_IN_SCOPE,
} from "../../src/auth/index.ts";
import { Browser } from "./support/browser.ts";
import { dpopKey } from "./support/dpop.ts";
import { type Harness, startHarness, TENANT } from "./support/harness.ts";
import {
  authorize,
  authorizeUrl,
  CLI_REDIRECT,
  cliLogin as login,
  pkce,
  tokenRequest,
} from "./support/oauth.ts";

/** Token times are whole seconds: wait until the clock is past the second of `ms`. */
const nextSecond = async (ms: number) => {
  const wait = Math.floor(ms / 1000) * 1000 + 1000 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait + 5));
};

describe("revoked sign-in sessions at the authorization server", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  // Sign-ins and refreshes for Linux VM Sign-In are DPoP-bound (the refresh token to the key too).
  const key = dpopKey();
  const proof = async () => ({ dpop: await key.proof(`${h.issuer}/token`) });
  const cliLogin = (h: Harness, accountId: string) => login(h, accountId, { dpop: key });
  const refresh = async (token: unknown) =>
    tokenRequest(
      h,
      {
        grant_type: "refresh_token",
        client_id: HOSTPASS_CLI_CLIENT_ID,
        refresh_token: String(token),
      },
      await proof(),
    );

  it("voids the refresh token, its rotations and access tokens; a new sign-in works", async () => {
    const user = h.accounts.addUser(TENANT, "revoked@contoso.example");
    const login = await cliLogin(h, user.id);
    const rotated = await refresh(login.body.refresh_token);
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    const revokedAt = Date.now();
    h.accounts.revokeUserSessions(user.id, revokedAt);
    for (const token of [rotated.body.refresh_token, login.body.refresh_token]) {
      assert.equal((await refresh(token)).body.error, "invalid_grant");
    }
    for (const token of [login.body.access_token, rotated.body.access_token]) {
      await assert.rejects(h.server.verifyLinuxSignInToken(String(token)), InvalidAccessTokenError);
    }
    const userinfo = await fetch(`${h.issuer}/me`, {
      headers: { authorization: `Bearer ${login.body.access_token}` },
    });
    assert.equal(userinfo.status, 401);
    await nextSecond(revokedAt);
    const again = await cliLogin(h, user.id);
    assert.equal(again.status, 200, JSON.stringify(again.body));
    await h.server.verifyLinuxSignInToken(String(again.body.access_token));
    assert.equal((await refresh(again.body.refresh_token)).status, 200);
  });

  it("refuses a code issued before the revocation", async () => {
    const user = h.accounts.addUser(TENANT, "code@contoso.example");
    const { verifier, challenge } = pkce();
    const back = await authorize(h, user.id, { code_challenge: challenge, code_challenge_method: "S256" });
    h.accounts.revokeUserSessions(user.id, Date.now());
    const result = await tokenRequest(
      h,
      {
        grant_type: "authorization_code",
        client_id: HOSTPASS_CLI_CLIENT_ID,
        code: back.searchParams.get("code") ?? "",
        redirect_uri: CLI_REDIRECT,
        code_verifier: verifier,
      },
      await proof(),
    );
    assert.equal(result.body.error, "invalid_grant");
  });

  it("asks a browser session from before the revocation to sign in again", async () => {
    const user = h.accounts.addUser(TENANT, "browser@contoso.example");
    const browser = new Browser();
    const { challenge } = pkce();
    const params = { code_challenge: challenge, code_challenge_method: "S256" };
    await authorize(h, user.id, params, browser);
    // Control: the session is still recognised (a native client is only asked to consent again).
    h.signIn = undefined;
    const view = async () => {
      const page = await browser.follow(authorizeUrl(h, params), (url) => url.includes("/signin/"));
      return (await (await browser.request(page)).json()) as Record<string, unknown>;
    };
    const before = await view();
    assert.equal(before.prompt, "consent");
    assert.equal(before.sessionAccountId, user.id);
    h.accounts.revokeUserSessions(user.id, Date.now());
    const afterwards = await view();
    assert.equal(afterwards.prompt, "login");
    assert.deepEqual(afterwards.reasons, ["account_unusable"]);
  });

  it("voids a service principal's app tokens issued before; a new one works", async () => {
    const sp = h.accounts.addServicePrincipal(TENANT, { secret: "robot-secret-1" });
    const form = {
      grant_type: "client_credentials",
      client_id: sp.appId,
      client_secret: "robot-secret-1",
      resource: LINUX_VM_SIGN_IN_RESOURCE,
      scope: LINUX_VM_SIGN_IN_SCOPE,
    };
    const before = await tokenRequest(h, form, await proof());
    await h.server.verifyLinuxSignInToken(String(before.body.access_token));
    const revokedAt = Date.now();
    h.accounts.revokePrincipalSessions(sp.appId, revokedAt);
    await new Promise((r) => setTimeout(r, 1100)); // the CA's positive liveness answer lives 1 s
    await assert.rejects(
      h.server.verifyLinuxSignInToken(String(before.body.access_token)),
      InvalidAccessTokenError,
    );
    await nextSecond(revokedAt);
    const after = await tokenRequest(h, form, await proof());
    assert.equal(after.status, 200, JSON.stringify(after.body));
    await h.server.verifyLinuxSignInToken(String(after.body.access_token));
  });
});
