import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decodeProtectedHeader } from "jose";
import { InvalidAccessTokenError, SigningKeyError } from "../../src/auth/index.ts";
import { type Harness, startHarness, TENANT } from "./support/harness.ts";
import { generateSigningJwk } from "./support/memory-key-store.ts";
import { cliLogin } from "./support/oauth.ts";

describe("discovery, JWKS and signing-key rotation", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const jwks = async () =>
    ((await (await fetch(`${h.issuer}/jwks`)).json()) as { keys: Record<string, string>[] }).keys;

  it("publishes a discovery document that states the rules", async () => {
    const response = await fetch(`${h.issuer}/.well-known/openid-configuration`);
    assert.equal(response.status, 200);
    const doc = (await response.json()) as Record<string, unknown>;
    assert.equal(doc.issuer, h.issuer);
    assert.equal(doc.token_endpoint, `${h.issuer}/token`);
    assert.equal(doc.jwks_uri, `${h.issuer}/jwks`);
    assert.equal(doc.device_authorization_endpoint, `${h.issuer}/device/auth`);
    assert.equal(doc.revocation_endpoint, `${h.issuer}/token/revocation`);
    assert.equal(doc.end_session_endpoint, `${h.issuer}/session/end`);
    assert.deepEqual(doc.code_challenge_methods_supported, ["S256"]);
    assert.deepEqual(doc.response_types_supported, ["code"]);
    assert.equal(doc.authorization_response_iss_parameter_supported, true);
    assert.deepEqual(doc.id_token_signing_alg_values_supported, ["EdDSA"]);
    assert.ok(!(doc.token_endpoint_auth_methods_supported as string[]).includes("client_secret_jwt"));
    assert.ok(
      (doc.grant_types_supported as string[]).includes("urn:ietf:params:oauth:grant-type:device_code"),
    );
    assert.ok(!(doc.grant_types_supported as string[]).includes("password"));
    assert.ok(!(doc.grant_types_supported as string[]).includes("implicit"));
  });

  it("publishes public keys only", async () => {
    const keys = await jwks();
    assert.equal(keys.length, 1);
    for (const key of keys) {
      assert.equal(key.d, undefined);
      assert.equal(key.alg, "EdDSA");
      assert.equal(key.use, "sig");
    }
  });

  it("rotates: a next key is published before it signs; the old key verifies until retired", async () => {
    const user = h.accounts.addUser(TENANT, "rotation@contoso.example");
    const oldKid = h.keys.keys[0]?.privateJwk.kid;
    const before = await cliLogin(h, user.id);
    assert.equal(decodeProtectedHeader(String(before.body.access_token)).kid, oldKid);

    const nextKid = h.keys.add("next");
    await h.server.reloadKeys();
    assert.deepEqual((await jwks()).map((k) => k.kid).sort(), [oldKid, nextKid].sort());
    const during = await cliLogin(h, user.id);
    assert.equal(
      decodeProtectedHeader(String(during.body.access_token)).kid,
      oldKid,
      "next keys do not sign",
    );
    assert.equal(decodeProtectedHeader(String(during.body.id_token)).kid, oldKid);

    h.keys.promote(nextKid);
    await h.server.reloadKeys();
    const after = await cliLogin(h, user.id);
    assert.equal(decodeProtectedHeader(String(after.body.access_token)).kid, nextKid);
    await h.server.verifyLinuxSignInToken(String(before.body.access_token));
    await h.server.verifyLinuxSignInToken(String(after.body.access_token));

    h.keys.retire(oldKid ?? "");
    await h.server.reloadKeys();
    assert.deepEqual(
      (await jwks()).map((k) => k.kid),
      [nextKid],
    );
    await assert.rejects(
      h.server.verifyLinuxSignInToken(String(before.body.access_token)),
      InvalidAccessTokenError,
    );
  });

  it("refuses key sets without exactly one active key or with mixed key types", async () => {
    const saved = h.keys.keys;
    try {
      h.keys.keys = [{ status: "next", privateJwk: generateSigningJwk() }];
      await assert.rejects(h.server.reloadKeys(), SigningKeyError);
      h.keys.keys = [
        { status: "active", privateJwk: generateSigningJwk() },
        { status: "retiring", privateJwk: generateSigningJwk("p256") },
      ];
      await assert.rejects(h.server.reloadKeys(), SigningKeyError);
      const twin = generateSigningJwk();
      h.keys.keys = [
        { status: "active", privateJwk: twin },
        { status: "next", privateJwk: { ...generateSigningJwk(), kid: twin.kid ?? "" } },
      ];
      await assert.rejects(h.server.reloadKeys(), SigningKeyError, "duplicate kid");
      const { d: _d, ...publicOnly } = generateSigningJwk();
      h.keys.keys = [{ status: "active", privateJwk: publicOnly }];
      await assert.rejects(h.server.reloadKeys(), SigningKeyError, "public key only");
      h.keys.keys = [{ status: "active", privateJwk: { ...generateSigningJwk(), kid: "" } }];
      await assert.rejects(h.server.reloadKeys(), SigningKeyError, "empty kid");
    } finally {
      h.keys.keys = saved;
      await h.server.reloadKeys();
    }
  });

  it("signs with ES256 when the active key is P-256", async () => {
    const ec = await startHarness({ keyType: "p256" });
    try {
      const user = ec.accounts.addUser(TENANT, "ec@contoso.example");
      const login = await cliLogin(ec, user.id);
      assert.equal(decodeProtectedHeader(String(login.body.access_token)).alg, "ES256");
      await ec.server.verifyLinuxSignInToken(String(login.body.access_token));
    } finally {
      await ec.close();
    }
  });

  it("answers 404 outside its mount path", async () => {
    assert.equal((await fetch(`${h.base}/elsewhere/token`)).status, 404);
    assert.equal((await fetch(`${h.base}/oauth2x/jwks`)).status, 404);
  });
});
