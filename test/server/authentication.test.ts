import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { SignJWT, UnsecuredJWT } from "jose";
import { MANAGEMENT_API_RESOURCE } from "../../src/auth/index.ts";
import { bearer, startTestServer, type TestServer, user } from "./helpers.ts";
import { mintAccessToken, TEST_ISSUER } from "./token-mint.ts";

const alice = user("00000000-0000-4000-8000-00000000a11c");

describe("API authentication", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const whoami = (headers: Record<string, string> = {}) =>
    server.app.inject({ method: "GET", url: "/me", headers });

  it("publishes the public key as JWKS without authentication, and no private part", async () => {
    const response = await server.app.inject({ method: "GET", url: "/.well-known/jwks.json" });
    assert.equal(response.statusCode, 200);
    const { keys } = response.json();
    assert.equal(keys.length, 1);
    assert.equal(keys[0].kid, server.keys.kid);
    assert.equal(keys[0].x, server.keys.publicJwk.x);
    assert.equal(keys[0].alg, "EdDSA");
    assert.equal(keys[0].d, undefined);
  });

  it("accepts a token signed by a key the issuer publishes", async () => {
    const response = await whoami(bearer(await server.token(alice)));
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().objectId, alice.objectId);
  });

  it("accepts the API's scope among others", async () => {
    const token = await server.token(alice, { scope: "openid user_impersonation profile" });
    assert.equal((await whoami(bearer(token))).statusCode, 200);
  });

  const refused: Array<[string, () => Promise<Record<string, string>>]> = [
    ["no Authorization header", async () => ({})],
    ["a Basic credential", async () => ({ authorization: "Basic YWxpY2U6cHc=" })],
    ["garbage", async () => bearer("not.a.jwt")],
    ["the wrong audience", async () => bearer(await server.token(alice, { audience: "urn:other" }))],
    ["the wrong issuer", async () => bearer(await server.token(alice, { issuer: "https://evil" }))],
    [
      "an expired token (beyond the 60 s leeway)",
      async () => bearer(await server.token(alice, { now: Date.now() - 3_700_000 })),
    ],
    [
      "a token issued in the future",
      async () => bearer(await server.token(alice, { now: Date.now() + 600_000 })),
    ],
    [
      "alg none",
      async () =>
        bearer(
          new UnsecuredJWT({ tid: alice.tenantId, oid: alice.objectId, idtyp: "user" })
            .setSubject(alice.objectId)
            .setIssuer(TEST_ISSUER)
            .setAudience(MANAGEMENT_API_RESOURCE)
            .setIssuedAt()
            .setExpirationTime("1h")
            .encode(),
        ),
    ],
    [
      "HS256 keyed with the public JWK",
      async () => {
        const secret = new TextEncoder().encode(JSON.stringify(server.keys.publicJwk));
        const token = await new SignJWT({ tid: alice.tenantId, oid: alice.objectId, idtyp: "user" })
          .setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: server.keys.kid })
          .setSubject(alice.objectId)
          .setIssuer(TEST_ISSUER)
          .setAudience(MANAGEMENT_API_RESOURCE)
          .setIssuedAt()
          .setExpirationTime("1h")
          .sign(secret);
        return bearer(token);
      },
    ],
    [
      "a token signed by another Ed25519 key",
      async () => {
        const other = generateKeyPairSync("ed25519").privateKey;
        return bearer(await mintAccessToken({ privateKey: other, kid: server.keys.kid }, alice));
      },
    ],
    ["a token without a scope", async () => bearer(await server.token(alice, { scope: null }))],
    ["a token with another scope", async () => bearer(await server.token(alice, { scope: "vm.login" }))],
    [
      "a token whose scope only contains the API's as a substring",
      async () => bearer(await server.token(alice, { scope: "openid user_impersonation2" })),
    ],
    [
      "a token whose scope is a list instead of a string",
      async () => bearer(await server.token(alice, { scope: ["user_impersonation"] })),
    ],
  ];
  refused.push([
    "an ID token (typ JWT) signed by the issuer's key",
    async () =>
      bearer(
        await new SignJWT({ tid: alice.tenantId, oid: alice.objectId, idtyp: "user" })
          .setProtectedHeader({ alg: "EdDSA", typ: "JWT", kid: server.keys.kid })
          .setSubject(alice.objectId)
          .setIssuer(TEST_ISSUER)
          .setAudience(MANAGEMENT_API_RESOURCE)
          .setIssuedAt()
          .setExpirationTime("1h")
          .sign(server.keys.privateKey),
      ),
  ]);
  for (const [name, headers] of refused) {
    it(`refuses ${name} with 401 ERR_UNAUTHENTICATED`, async () => {
      const response = await whoami(await headers());
      assert.equal(response.statusCode, 401, response.body);
      assert.equal(response.json().error.code, "ERR_UNAUTHENTICATED");
    });
  }

  it("answers an unknown route with 404 ERR_NOT_FOUND", async () => {
    const response = await server.app.inject({ method: "GET", url: "/nope" });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().error.code, "ERR_NOT_FOUND");
  });
});
