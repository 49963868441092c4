import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  HOSTPASS_CLI_CLIENT_ID,
  InvalidAccessTokenError,
  LINUX_VM_SIGN_IN_RESOURCE,
} from "../../src/auth/index.ts";
import { Browser } from "./support/browser.ts";
import { dpopKey } from "./support/dpop.ts";
import { type Harness, startHarness, TENANT } from "./support/harness.ts";
import { authorize, authorizeUrl, cliLogin as login, pkce, tokenRequest } from "./support/oauth.ts";

describe("refresh tokens, revocation and logout", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  // The CLI's key: its sign-in is DPoP-bound (Linux VM Sign-In), so its refresh token is bound to
  // the key too (a public client's, RFC 9449 §5) and every refresh is made with a proof by it.
  const key = dpopKey();
  const cliLogin = (h: Harness, accountId: string) => login(h, accountId, { dpop: key });
  const refresh = async (token: unknown, extra: Record<string, string> = {}) =>
    tokenRequest(
      h,
      {
        grant_type: "refresh_token",
        client_id: HOSTPASS_CLI_CLIENT_ID,
        refresh_token: String(token),
        ...extra,
      },
      { dpop: await key.proof(`${h.issuer}/token`) },
    );

  it("rotates the refresh token on every use and keeps the audience of the grant", async () => {
    const user = h.accounts.addUser(TENANT, "rotate@contoso.example");
    const login = await cliLogin(h, user.id);
    const first = await refresh(login.body.refresh_token);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.notEqual(first.body.refresh_token, login.body.refresh_token);
    const token = await h.server.verifyLinuxSignInToken(String(first.body.access_token));
    assert.equal(token.objectId, user.id);
    const second = await refresh(first.body.refresh_token, { resource: LINUX_VM_SIGN_IN_RESOURCE });
    assert.equal(second.status, 200);
    assert.notEqual(second.body.refresh_token, first.body.refresh_token);
  });

  it("on reuse of a rotated refresh token revokes the whole family", async () => {
    const user = h.accounts.addUser(TENANT, "family@contoso.example");
    const login = await cliLogin(h, user.id);
    const rotated = await refresh(login.body.refresh_token);
    assert.equal(rotated.status, 200);
    const reuse = await refresh(login.body.refresh_token);
    assert.equal(reuse.status, 400);
    assert.equal(reuse.body.error, "invalid_grant");
    const latest = await refresh(rotated.body.refresh_token);
    assert.equal(latest.body.error, "invalid_grant", "the newest refresh token died with its family");
    for (const at of [login.body.access_token, rotated.body.access_token]) {
      await assert.rejects(h.server.verifyLinuxSignInToken(String(at)), InvalidAccessTokenError);
    }
  });

  it("lets at most one of two concurrent refreshes with one token win, and then revokes the family", async () => {
    const user = h.accounts.addUser(TENANT, "race@contoso.example");
    const login = await cliLogin(h, user.id);
    const results = await Promise.all([1, 2].map(() => refresh(login.body.refresh_token)));
    assert.ok(results.filter((r) => r.status === 200).length <= 1);
    assert.ok(results.some((r) => r.body.error === "invalid_grant"));
    for (const r of results.filter((x) => x.status === 200)) {
      assert.equal((await refresh(r.body.refresh_token)).body.error, "invalid_grant");
    }
  });

  it("gives a disabled user nothing by refresh, and accepts none of its access tokens", async () => {
    const user = h.accounts.addUser(TENANT, "disabled@contoso.example");
    const login = await cliLogin(h, user.id);
    h.accounts.setUserEnabled(user.id, false);
    const result = await refresh(login.body.refresh_token);
    assert.equal(result.body.error, "invalid_grant");
    await assert.rejects(
      h.server.verifyLinuxSignInToken(String(login.body.access_token)),
      InvalidAccessTokenError,
    );
    h.accounts.setUserEnabled(user.id, true);
  });

  it("refuses a refresh for another resource", async () => {
    const user = h.accounts.addUser(TENANT, "resource@contoso.example");
    const login = await cliLogin(h, user.id);
    const result = await refresh(login.body.refresh_token, { resource: "urn:example:other" });
    assert.equal(result.body.error, "invalid_target");
  });

  it("revocation of the refresh token revokes the grant (hostpass logout)", async () => {
    const user = h.accounts.addUser(TENANT, "revoke@contoso.example");
    const login = await cliLogin(h, user.id);
    const revoked = await tokenRequest(
      h,
      {
        token: String(login.body.refresh_token),
        token_type_hint: "refresh_token",
        client_id: HOSTPASS_CLI_CLIENT_ID,
      },
      {},
      "/token/revocation",
    );
    assert.equal(revoked.status, 200);
    assert.equal((await refresh(login.body.refresh_token)).body.error, "invalid_grant");
    await assert.rejects(
      h.server.verifyLinuxSignInToken(String(login.body.access_token)),
      InvalidAccessTokenError,
    );
  });

  it("ends the browser session at the end-session endpoint, so the next sign-in asks to log in again", async () => {
    const user = h.accounts.addUser(TENANT, "logout@contoso.example");
    const browser = new Browser();
    const { challenge } = pkce();
    const params = { code_challenge: challenge, code_challenge_method: "S256" };
    await authorize(h, user.id, params, browser);
    // With a session, the next authorization asks only for consent (native client), not a login.
    h.signIn = undefined;
    const before = await browser.follow(authorizeUrl(h, params), (url) => url.includes("/signin/"));
    const withSession = (await (await browser.request(before)).json()) as Record<string, unknown>;
    assert.equal(withSession.prompt, "consent");
    assert.equal(withSession.sessionAccountId, user.id);

    const page = await browser.request(`${h.issuer}/session/end?client_id=${HOSTPASS_CLI_CLIENT_ID}`);
    assert.equal(page.status, 200);
    const html = await page.text();
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(xsrf, html);
    const done = await browser.request(`${h.issuer}/session/end/confirm`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ xsrf, logout: "yes" }),
    });
    assert.ok(done.status === 303 || done.status === 200, String(done.status));
    if (done.status === 303)
      await browser.request(new URL(done.headers.get("location") ?? "", h.issuer).href);

    const after = await browser.follow(authorizeUrl(h, params), (url) => url.includes("/signin/"));
    const view = (await (await browser.request(after)).json()) as Record<string, unknown>;
    assert.equal(view.prompt, "login");
  });
});
