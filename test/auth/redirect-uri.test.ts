import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InvalidAccessTokenError } from "../../src/auth/index.ts";
import { Browser } from "./support/browser.ts";
import { type Harness, startHarness, TENANT } from "./support/harness.ts";
import { authorize, authorizeUrl, pkce, tokenRequest } from "./support/oauth.ts";

const PORTAL = "https://portal.example/cb";

describe("redirect URIs of a web client are matched exactly", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      config: {
        clients: [
          {
            client_id: "portal",
            client_name: "hostpass portal",
            client_secret: "portal-secret-0123456789abcdefghijkl",
            redirect_uris: [PORTAL],
            grant_types: ["authorization_code"],
            response_types: ["code"],
            token_endpoint_auth_method: "client_secret_basic",
          },
        ],
      },
    });
  });
  after(() => h.close());

  it("redirects to the registered URI", async () => {
    const user = h.accounts.addUser(TENANT, "portal@contoso.example");
    const { challenge } = pkce();
    const back = await authorize(h, user.id, {
      client_id: "portal",
      redirect_uri: PORTAL,
      scope: "openid",
      resource: undefined,
      code_challenge: challenge,
      code_challenge_method: "S256",
    });
    assert.ok(back.searchParams.get("code"));
  });

  it("refuses look-alike URIs without redirecting to them", async () => {
    const { challenge } = pkce();
    const bad = [
      "https://portal.example.evil.example/cb",
      "https://portal.example@evil.example/cb",
      "https://evil.example@portal.example/cb",
      "https://portal.example/cb/",
      "https://portal.example/cb?x=1",
      "https://portal.example/cb#x",
      "https://portal.example/cb/../cb",
      "https://portal.example/CB",
      "https://PORTAL.example/cb",
      "http://portal.example/cb",
      "https://portal.example:444/cb",
      "https://portal.example:443/cb",
    ];
    for (const redirect of bad) {
      const url = authorizeUrl(h, {
        client_id: "portal",
        redirect_uri: redirect,
        scope: "openid",
        resource: undefined,
        code_challenge: challenge,
        code_challenge_method: "S256",
      });
      const response = await new Browser().request(url);
      assert.equal(response.status, 400, redirect);
      assert.equal(response.headers.get("location"), null, redirect);
    }
  });

  it("refuses a missing redirect_uri even though only one is registered", async () => {
    const { challenge } = pkce();
    const url = authorizeUrl(h, {
      client_id: "portal",
      redirect_uri: undefined,
      scope: "openid",
      resource: undefined,
      code_challenge: challenge,
      code_challenge_method: "S256",
    });
    assert.equal((await new Browser().request(url)).status, 400);
  });

  it("gives the portal (no resource named) an opaque access token that Linux VM Sign-In refuses", async () => {
    const user = h.accounts.addUser(TENANT, "opaque@contoso.example");
    const { verifier, challenge } = pkce();
    const back = await authorize(h, user.id, {
      client_id: "portal",
      redirect_uri: PORTAL,
      scope: "openid",
      resource: undefined,
      code_challenge: challenge,
      code_challenge_method: "S256",
    });
    const secret = Buffer.from("portal:portal-secret-0123456789abcdefghijkl").toString("base64");
    const result = await tokenRequest(
      h,
      {
        grant_type: "authorization_code",
        code: back.searchParams.get("code") ?? "",
        redirect_uri: PORTAL,
        code_verifier: verifier,
      },
      { authorization: `Basic ${secret}` },
    );
    assert.equal(result.status, 200, JSON.stringify(result.body));
    const userinfo = await fetch(`${h.issuer}/me`, {
      headers: { authorization: `Bearer ${result.body.access_token}` },
    });
    assert.equal(userinfo.status, 200);
    await assert.rejects(
      h.server.verifyLinuxSignInToken(String(result.body.access_token)),
      InvalidAccessTokenError,
    );
  });
});
