import assert from "node:assert/strict";
import { generateKeyPairSync, type KeyObject, randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { SignJWT } from "jose";
import { LINUX_VM_SIGN_IN_RESOURCE, LINUX_VM_SIGN_IN_SCOPE } from "../../src/auth/index.ts";
import { dpopKey } from "./support/dpop.ts";
import { type Harness, startHarness, TENANT } from "./support/harness.ts";
import { tokenRequest } from "./support/oauth.ts";

const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const forVmSignIn = {
  grant_type: "client_credentials",
  resource: LINUX_VM_SIGN_IN_RESOURCE,
  scope: LINUX_VM_SIGN_IN_SCOPE,
};
const basic = (id: string, secret: string) => ({
  authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`,
});

describe("client credentials for service principals", () => {
  let h: Harness;
  let key: KeyObject;
  let publicJwk: Record<string, string>;
  before(async () => {
    h = await startHarness();
    const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
    key = pair.privateKey;
    publicJwk = pair.publicKey.export({ format: "jwk" }) as Record<string, string>;
  });
  after(() => h.close());

  /** A token request with a DPoP proof: Linux VM Sign-In tokens are issued only DPoP-bound. */
  const bound = async (params: Record<string, string>, headers: Record<string, string> = {}, path?: string) =>
    tokenRequest(h, params, { dpop: await dpopKey().proof(`${h.issuer}/token`), ...headers }, path);

  const now = () => Math.floor(Date.now() / 1000);
  function assertion(appId: string, claims: Record<string, unknown> = {}, signingKey = key) {
    return new SignJWT({ jti: randomUUID(), ...claims })
      .setProtectedHeader({ alg: "ES256" })
      .setIssuer(appId)
      .setSubject(appId)
      .setAudience((claims.aud as string) ?? `${h.issuer}/token`)
      .setIssuedAt(now())
      .setExpirationTime((claims.exp as number) ?? now() + 60)
      .sign(signingKey);
  }
  const withAssertion = (jwt: string) => ({
    ...forVmSignIn,
    client_assertion_type: ASSERTION_TYPE,
    client_assertion: jwt,
  });

  it("issues an app token for Linux VM Sign-In with a client secret (basic and post)", async () => {
    const sp = h.accounts.addServicePrincipal(TENANT, { secret: "s3cret-value" });
    const viaBasic = await bound(forVmSignIn, basic(sp.appId, "s3cret-value"));
    assert.equal(viaBasic.status, 200, JSON.stringify(viaBasic.body));
    assert.equal(viaBasic.body.refresh_token, undefined);
    const token = await h.server.verifyLinuxSignInToken(String(viaBasic.body.access_token));
    assert.equal(token.identityType, "app");
    assert.equal(token.clientId, sp.appId);
    assert.equal(token.objectId, sp.objectId);
    assert.equal(token.tenantId, TENANT);
    const viaPost = await bound({
      ...forVmSignIn,
      client_id: sp.appId,
      client_secret: "s3cret-value",
    });
    assert.equal(viaPost.status, 200, JSON.stringify(viaPost.body));
  });

  it("refuses an app token for Linux VM Sign-In without a DPoP proof (invalid_dpop_proof); binds it to the proof's key", async () => {
    const sp = h.accounts.addServicePrincipal(TENANT, { secret: "s3cret-value" });
    const unbound = await tokenRequest(h, forVmSignIn, basic(sp.appId, "s3cret-value"));
    assert.equal(unbound.status, 400, JSON.stringify(unbound.body));
    assert.equal(unbound.body.error, "invalid_dpop_proof");
    assert.equal(unbound.body.access_token, undefined);
    const key = dpopKey();
    const withProof = await tokenRequest(h, forVmSignIn, {
      ...basic(sp.appId, "s3cret-value"),
      dpop: await key.proof(`${h.issuer}/token`),
    });
    assert.equal(withProof.status, 200, JSON.stringify(withProof.body));
    assert.equal(withProof.body.token_type, "DPoP");
    const token = await h.server.verifyLinuxSignInToken(String(withProof.body.access_token));
    assert.equal(token.confirmationJkt, await key.thumbprint());
  });

  it("refuses a wrong secret, a secret in the query string, and a disabled principal", async () => {
    const sp = h.accounts.addServicePrincipal(TENANT, { secret: "right" });
    const wrong = await bound(forVmSignIn, basic(sp.appId, "wrong"));
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, "invalid_client");
    const query = new URLSearchParams({ client_id: sp.appId, client_secret: "right" });
    const inQuery = await bound(forVmSignIn, {}, `/token?${query}`);
    assert.notEqual(inQuery.status, 200, "secrets are read from the body or the header only");
    h.accounts.setPrincipalEnabled(sp.appId, false);
    const disabled = await bound(forVmSignIn, basic(sp.appId, "right"));
    assert.equal(disabled.body.error, "invalid_client");
  });

  it("stops accepting a disabled principal's existing app tokens", async () => {
    const sp = h.accounts.addServicePrincipal(TENANT, { secret: "right" });
    const result = await bound(forVmSignIn, basic(sp.appId, "right"));
    h.accounts.setPrincipalEnabled(sp.appId, false);
    await assert.rejects(h.server.verifyLinuxSignInToken(String(result.body.access_token)), {
      code: "ERR_AUTH_INVALID_TOKEN",
    });
  });

  it("refuses a principal disabled after its token was accepted, within the 1 s liveness cache", async () => {
    const sp = h.accounts.addServicePrincipal(TENANT, { secret: "right" });
    const token = String((await bound(forVmSignIn, basic(sp.appId, "right"))).body.access_token);
    await h.server.verifyLinuxSignInToken(token);
    h.accounts.setPrincipalEnabled(sp.appId, false);
    await new Promise((r) => setTimeout(r, 1050));
    await assert.rejects(h.server.verifyLinuxSignInToken(token), { code: "ERR_AUTH_INVALID_TOKEN" });
  });

  it("issues an app token with private_key_jwt (audience: token endpoint or issuer)", async () => {
    const sp = h.accounts.addServicePrincipal(TENANT, { jwks: [publicJwk] });
    for (const aud of [`${h.issuer}/token`, h.issuer]) {
      const result = await bound(withAssertion(await assertion(sp.appId, { aud })));
      assert.equal(result.status, 200, JSON.stringify(result.body));
    }
  });

  it("refuses a replayed client assertion (same jti)", async () => {
    const sp = h.accounts.addServicePrincipal(TENANT, { jwks: [publicJwk] });
    const jwt = await assertion(sp.appId);
    assert.equal((await bound(withAssertion(jwt))).status, 200);
    const replay = await bound(withAssertion(jwt));
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error, "invalid_client");
    const concurrent = await assertion(sp.appId);
    const results = await Promise.all([1, 2, 3].map(() => bound(withAssertion(concurrent))));
    assert.equal(results.filter((r) => r.status === 200).length, 1, "concurrent replays: exactly one wins");
  });

  it("refuses assertions for another audience, with several audiences, or living too long", async () => {
    const sp = h.accounts.addServicePrincipal(TENANT, { jwks: [publicJwk] });
    const bad = [
      await assertion(sp.appId, { aud: "https://other.example/token" }),
      await assertion(sp.appId, { aud: [h.issuer, "https://other.example"] }),
      await assertion(sp.appId, { exp: now() + 600 }),
      await assertion(sp.appId, { exp: now() - 120 }),
      await assertion(sp.appId, {}, generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey),
    ];
    for (const jwt of bad) {
      const result = await bound(withAssertion(jwt));
      assert.equal(result.body.error, "invalid_client", JSON.stringify(result.body));
    }
  });

  it("refuses a secret for a principal that has only certificates, and the other way round", async () => {
    const certOnly = h.accounts.addServicePrincipal(TENANT, { jwks: [publicJwk] });
    assert.equal((await bound(forVmSignIn, basic(certOnly.appId, "x"))).body.error, "invalid_client");
    const secretOnly = h.accounts.addServicePrincipal(TENANT, { secret: "right" });
    const result = await bound(withAssertion(await assertion(secretOnly.appId)));
    assert.equal(result.body.error, "invalid_client");
  });

  it("refuses client credentials for the public CLI client and for unknown resources", async () => {
    const cli = await bound({ ...forVmSignIn, client_id: "b95e88a6-adb6-476d-9b94-9e0584ce3198" });
    assert.notEqual(cli.status, 200);
    const sp = h.accounts.addServicePrincipal(TENANT, { secret: "right" });
    const other = await tokenRequest(
      h,
      { ...forVmSignIn, resource: "urn:example:other" },
      basic(sp.appId, "right"),
    );
    assert.equal(other.body.error, "invalid_target");
  });
});
