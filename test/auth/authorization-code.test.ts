import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HOSTPASS_CLI_CLIENT_ID, InvalidAccessTokenError } from "../../src/auth/index.ts";
import { Browser } from "./support/browser.ts";
import { dpopKey } from "./support/dpop.ts";
import { type Harness, startHarness, TENANT } from "./support/harness.ts";
import { authorize, authorizeUrl, CLI_REDIRECT, cliLogin, pkce, tokenRequest } from "./support/oauth.ts";

const codeExchange = (code: string, verifier: string | undefined, redirectUri = CLI_REDIRECT) => ({
  grant_type: "authorization_code",
  client_id: HOSTPASS_CLI_CLIENT_ID,
  code,
  redirect_uri: redirectUri,
  ...(verifier === undefined ? {} : { code_verifier: verifier }),
});

describe("authorization code with PKCE", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  /** A token request with a DPoP proof (the code is for Linux VM Sign-In, issued only DPoP-bound). */
  const bound = async (params: Record<string, string>) =>
    tokenRequest(h, params, { dpop: await dpopKey().proof(`${h.issuer}/token`) });

  async function codeFor(accountId: string, challenge: string, redirectUri = CLI_REDIRECT) {
    const back = await authorize(h, accountId, {
      code_challenge: challenge,
      code_challenge_method: "S256",
      redirect_uri: redirectUri,
    });
    assert.equal(back.searchParams.get("iss"), h.issuer, "RFC 9207 iss in the response");
    const code = back.searchParams.get("code");
    assert.ok(code, back.href);
    return code;
  }

  it("signs the CLI in: access token for Linux VM Sign-In, ID token, refresh token", async () => {
    const user = h.accounts.addUser(TENANT, "alice@contoso.example");
    const result = await cliLogin(h, user.id);
    assert.equal(result.status, 200, JSON.stringify(result.body));
    assert.equal(typeof result.body.id_token, "string");
    assert.equal(typeof result.body.refresh_token, "string");
    const token = await h.server.verifyLinuxSignInToken(String(result.body.access_token));
    assert.equal(token.objectId, user.id);
    assert.equal(token.tenantId, TENANT);
    assert.equal(token.identityType, "user");
    assert.equal(token.clientId, HOSTPASS_CLI_CLIENT_ID);
    assert.deepEqual(token.amr, ["pwd"]);
  });

  it("accepts any loopback port for the CLI, on 127.0.0.1 and [::1], with the registered path", async () => {
    const user = h.accounts.addUser(TENANT, "ports@contoso.example");
    for (const redirect of [
      "http://127.0.0.1:1/callback",
      "http://[::1]:60000/callback",
      "http://127.0.0.1/callback",
    ]) {
      const { verifier, challenge } = pkce();
      const code = await codeFor(user.id, challenge, redirect);
      const result = await bound(codeExchange(code, verifier, redirect));
      assert.equal(result.status, 200, `${redirect}: ${JSON.stringify(result.body)}`);
    }
  });

  it("refuses a second use of a code with invalid_grant and revokes what the first use issued", async () => {
    const user = h.accounts.addUser(TENANT, "reuse@contoso.example");
    const { verifier, challenge } = pkce();
    const code = await codeFor(user.id, challenge);
    const first = await bound(codeExchange(code, verifier));
    assert.equal(first.status, 200);
    const second = await bound(codeExchange(code, verifier));
    assert.equal(second.status, 400);
    assert.equal(second.body.error, "invalid_grant");
    const refresh = await bound({
      grant_type: "refresh_token",
      client_id: HOSTPASS_CLI_CLIENT_ID,
      refresh_token: String(first.body.refresh_token),
    });
    assert.equal(refresh.body.error, "invalid_grant", "the refresh token from the first use is revoked");
    await assert.rejects(
      h.server.verifyLinuxSignInToken(String(first.body.access_token)),
      InvalidAccessTokenError,
    );
  });

  it("refuses two concurrent redemptions of one code: one wins, and its tokens are revoked too", async () => {
    const user = h.accounts.addUser(TENANT, "race@contoso.example");
    const { verifier, challenge } = pkce();
    const code = await codeFor(user.id, challenge);
    const results = await Promise.all([1, 2, 3].map(() => bound(codeExchange(code, verifier))));
    const ok = results.filter((r) => r.status === 200);
    assert.ok(ok.length <= 1, `at most one success, got ${ok.length}`);
    assert.ok(results.some((r) => r.body.error === "invalid_grant"));
    for (const winner of ok) {
      await assert.rejects(
        h.server.verifyLinuxSignInToken(String(winner.body.access_token)),
        InvalidAccessTokenError,
      );
    }
  });

  it("requires a code challenge from every client and refuses plain", async () => {
    const user = h.accounts.addUser(TENANT, "pkce@contoso.example");
    const { challenge } = pkce();
    const cases = [
      { code_challenge: undefined, code_challenge_method: undefined },
      { code_challenge: challenge, code_challenge_method: "plain" },
      { code_challenge: challenge.slice(0, 20), code_challenge_method: "plain" },
      { code_challenge: challenge, code_challenge_method: "S512" },
    ];
    for (const params of cases) {
      const back = await authorize(h, user.id, params);
      assert.equal(back.searchParams.get("code"), null, JSON.stringify(params));
      assert.equal(back.searchParams.get("error"), "invalid_request", JSON.stringify(params));
    }
  });

  it("refuses a wrong or missing code_verifier (no downgrade to no PKCE at the token endpoint)", async () => {
    const user = h.accounts.addUser(TENANT, "verifier@contoso.example");
    const { challenge } = pkce();
    for (const verifier of [undefined, pkce().verifier, challenge]) {
      const code = await codeFor(user.id, challenge);
      const result = await bound(codeExchange(code, verifier));
      assert.equal(result.status, 400);
      assert.equal(result.body.error, "invalid_grant", String(verifier));
    }
  });

  it("refuses a token request whose redirect_uri differs from the authorization request's", async () => {
    const user = h.accounts.addUser(TENANT, "redirect@contoso.example");
    const { verifier, challenge } = pkce();
    const code = await codeFor(user.id, challenge, "http://127.0.0.1:40000/callback");
    const result = await bound(codeExchange(code, verifier, "http://127.0.0.1:40001/callback"));
    assert.equal(result.body.error, "invalid_grant");
  });

  it("refuses redirect URIs that are not an exact match (security notes §5 item 43)", async () => {
    const { challenge } = pkce();
    const bad = [
      "http://127.0.0.1:5000/callback/",
      "http://127.0.0.1:5000/callback?x=1",
      "http://127.0.0.1:5000/callback#frag",
      "http://127.0.0.1:5000/callback/../x",
      "http://127.0.0.1:5000/Callback",
      "http://127.0.0.1:5000/callbackx",
      "http://localhost:5000/callback",
      "http://127.0.0.1.evil.example/callback",
      "http://127.0.0.1@evil.example/callback",
      "http://evil.example@127.0.0.1:5000/callback",
      "https://127.0.0.1:5000/callback",
      "http://127.0.0.2:5000/callback",
      "http://evil.example/callback",
    ];
    for (const redirect of bad) {
      const response = await new Browser().request(
        authorizeUrl(h, { redirect_uri: redirect, code_challenge: challenge, code_challenge_method: "S256" }),
      );
      assert.equal(response.status, 400, redirect);
      assert.equal(response.headers.get("location"), null, `${redirect} must not be redirected to`);
    }
  });

  it("refuses an expired code", async () => {
    const short = await startHarness({ config: { ttl: { authorizationCodeSeconds: 1 } } });
    try {
      const user = short.accounts.addUser(TENANT, "slow@contoso.example");
      const { verifier, challenge } = pkce();
      const back = await authorize(short, user.id, {
        code_challenge: challenge,
        code_challenge_method: "S256",
      });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const result = await tokenRequest(short, codeExchange(back.searchParams.get("code") ?? "", verifier));
      assert.equal(result.body.error, "invalid_grant");
    } finally {
      await short.close();
    }
  });

  it("gives a disabled user no session, and no tokens for a code issued before it was disabled", async () => {
    const user = h.accounts.addUser(TENANT, "disabled@contoso.example");
    const { verifier, challenge } = pkce();
    const code = await codeFor(user.id, challenge);
    h.accounts.setUserEnabled(user.id, false);
    const result = await bound(codeExchange(code, verifier));
    assert.equal(result.body.error, "invalid_grant");
    await assert.rejects(
      authorize(h, user.id, { code_challenge: challenge, code_challenge_method: "S256" }),
      /403/,
    );
  });

  it("drops the browser session of a user disabled since, and lets the page abort a sign-in", async () => {
    const user = h.accounts.addUser(TENANT, "session@contoso.example");
    const browser = new Browser();
    const { challenge } = pkce();
    const params = { code_challenge: challenge, code_challenge_method: "S256" };
    await authorize(h, user.id, params, browser);
    h.accounts.setUserEnabled(user.id, false);
    h.signIn = undefined;
    const page = await browser.follow(authorizeUrl(h, params), (url) => url.includes("/signin/"));
    const view = (await (await browser.request(page)).json()) as Record<string, unknown>;
    assert.equal(view.prompt, "login", "no silent sign-in for a disabled account");
    assert.deepEqual(view.reasons, ["account_unusable"]);
    h.signIn = "abort";
    const back = new URL(await browser.follow(page, (url) => url.startsWith(CLI_REDIRECT)));
    assert.equal(back.searchParams.get("error"), "access_denied");
    assert.equal(back.searchParams.get("code"), null);
  });

  it("refuses a code from another client", async () => {
    const user = h.accounts.addUser(TENANT, "client@contoso.example");
    const { verifier, challenge } = pkce();
    const code = await codeFor(user.id, challenge);
    const result = await tokenRequest(h, { ...codeExchange(code, verifier), client_id: "someone-else" });
    assert.equal(result.body.error, "invalid_client");
  });
});
