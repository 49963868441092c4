import assert from "node:assert/strict";
import { createPrivateKey, generateKeyPairSync, randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type JWTPayload, SignJWT } from "jose";
import {
  HOSTPASS_CLI_CLIENT_ID,
  InvalidAccessTokenError,
  LINUX_VM_SIGN_IN_RESOURCE,
  verifyLinuxSignInTokenWith,
} from "../../src/auth/index.ts";
import { type Harness, startHarness, TENANT } from "./support/harness.ts";
import { cliLogin, tokenRequest } from "./support/oauth.ts";

describe("verifyLinuxSignInToken", () => {
  let h: Harness;
  let userId: string;
  let grantId: string;
  before(async () => {
    h = await startHarness();
    userId = h.accounts.addUser(TENANT, "verify@contoso.example").id;
    const login = await cliLogin(h, userId);
    grantId = (await h.server.verifyLinuxSignInToken(String(login.body.access_token))).grantId ?? "";
  });
  after(() => h.close());

  const now = () => Math.floor(Date.now() / 1000);
  const activeJwk = () => h.keys.keys.find((k) => k.status === "active")?.privateJwk ?? {};

  /** A token as the server would make it, with `changes` applied; signed with the active key. */
  function forge(changes: JWTPayload = {}, header: Record<string, unknown> = {}, jwk = activeJwk()) {
    const payload: JWTPayload = {
      jti: randomUUID(),
      sub: userId,
      oid: userId,
      tid: TENANT,
      idtyp: "user",
      gid: grantId,
      client_id: HOSTPASS_CLI_CLIENT_ID,
      scope: "vm.login",
      iss: h.issuer,
      aud: LINUX_VM_SIGN_IN_RESOURCE,
      iat: now(),
      exp: now() + 600,
      ...changes,
    };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: "EdDSA", typ: "at+jwt", kid: jwk.kid, ...header })
      .sign(createPrivateKey({ key: jwk, format: "jwk" }));
  }

  const refused = (token: string | Promise<string>) =>
    Promise.resolve(token).then((t) =>
      assert.rejects(h.server.verifyLinuxSignInToken(t), InvalidAccessTokenError),
    );

  it("accepts a well-formed token (the forgery baseline is right)", async () => {
    const token = await h.server.verifyLinuxSignInToken(await forge());
    assert.equal(token.objectId, userId);
  });

  it("refuses tokens for another audience, several audiences, or without the vm.login scope", async () => {
    await refused(forge({ aud: "urn:hostpass:management" }));
    await refused(forge({ aud: HOSTPASS_CLI_CLIENT_ID }));
    await refused(forge({ aud: [LINUX_VM_SIGN_IN_RESOURCE, "urn:example:other"] }));
    await refused(forge({ scope: "openid" }));
  });

  it("refuses an ID token and an access token without a resource (userinfo)", async () => {
    const login = await cliLogin(h, userId);
    await refused(String(login.body.id_token));
    await refused(forge({}, { typ: "JWT" }));
    await refused(forge({}, { typ: undefined }));
  });

  it("refuses another issuer, and another tenant when the tenant is pinned", async () => {
    await refused(forge({ iss: "https://evil.example/oauth2" }));
    const token = await forge({ tid: "00000000-0000-0000-0000-000000000000" });
    await assert.rejects(
      h.server.verifyLinuxSignInToken(await forge(), { tenantId: "00000000-0000-0000-0000-000000000000" }),
      InvalidAccessTokenError,
    );
    await refused(token);
  });

  it("refuses expired tokens beyond the leeway and accepts them inside it; refuses future iat and nbf", async () => {
    await refused(forge({ iat: now() - 900, exp: now() - 120 }));
    await h.server.verifyLinuxSignInToken(await forge({ iat: now() - 900, exp: now() - 5 }));
    await refused(forge({ iat: now() + 300 }));
    await refused(forge({ nbf: now() + 300 }));
  });

  it("refuses a real access token once it has expired (no leeway configured)", async () => {
    const strict = await startHarness({
      // 3 s, not 1: iat is whole seconds, so a 1 s token can be already expired when verified at once under load.
      config: { clockToleranceSeconds: 0, ttl: { accessTokenSeconds: 3 } },
    });
    try {
      const user = strict.accounts.addUser(TENANT, "expiry@contoso.example");
      const login = await cliLogin(strict, user.id);
      assert.equal(login.body.expires_in, 3);
      await strict.server.verifyLinuxSignInToken(String(login.body.access_token));
      await new Promise((resolve) => setTimeout(resolve, 4100));
      await assert.rejects(
        strict.server.verifyLinuxSignInToken(String(login.body.access_token)),
        InvalidAccessTokenError,
      );
    } finally {
      await strict.close();
    }
  });

  it("refuses alg none, HS256 made with the public key, unknown keys and missing claims", async () => {
    const [header, payload] = (await forge()).split(".");
    const none = `${Buffer.from(JSON.stringify({ alg: "none", typ: "at+jwt" })).toString("base64url")}.${payload}.`;
    await refused(none);
    const jwks = h.server.publicJwks();
    const hs = await new SignJWT(JSON.parse(Buffer.from(payload ?? "", "base64url").toString()))
      .setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: jwks.keys[0]?.kid })
      .sign(new TextEncoder().encode(JSON.stringify(jwks.keys[0])));
    await refused(hs);
    const stranger = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }) as Record<
      string,
      string
    >;
    await refused(forge({}, {}, { ...stranger, kid: activeJwk().kid ?? "" }));
    await refused(forge({}, { kid: "unknown" }, { ...stranger, kid: "unknown" }));
    await refused(forge({ tid: undefined }));
    await refused(forge({ idtyp: "device" }));
    assert.ok(header);
  });

  it("refuses a token whose grant was revoked, and checks the stateless part on its own", async () => {
    await refused(forge({ gid: "no-such-grant" }));
    const stateless = await verifyLinuxSignInTokenWith(await forge({ gid: "no-such-grant" }), {
      issuer: h.issuer,
      jwks: h.server.publicJwks(),
      algorithm: "EdDSA",
    });
    assert.equal(stateless.grantId, "no-such-grant");
  });

  it("refuses client-credentials tokens of unknown principals", async () => {
    await refused(forge({ idtyp: "app", gid: undefined, client_id: randomUUID(), sub: randomUUID() }));
    assert.equal((await tokenRequest(h, { grant_type: "client_credentials" })).status, 400);
  });
});
