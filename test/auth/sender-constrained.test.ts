/**
 * Linux VM Sign-In tokens are always sender-constrained (issue 11 item 5): the authorization
 * server issues them only DPoP-bound. Hostile requests: every grant that would yield one without a
 * DPoP proof is refused with `invalid_dpop_proof` (and a refused refresh does not use up the
 * refresh token); a code granted for several resources is redeemed for the management API when no
 * proof comes with it; keys of every type the CA certifies can bind a token.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync, type KeyObject, randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { calculateJwkThumbprint, type JWK, SignJWT } from "jose";
import {
  HOSTPASS_CLI_CLIENT_ID,
  LINUX_VM_SIGN_IN_RESOURCE,
  LINUX_VM_SIGN_IN_SCOPE,
  MANAGEMENT_API_RESOURCE,
} from "../../src/auth/index.ts";
import { Browser } from "./support/browser.ts";
import { approve, enterCode, poll, sleep, startDeviceFlow } from "./support/device.ts";
import { dpopKey } from "./support/dpop.ts";
import { type Harness, startHarness, TENANT } from "./support/harness.ts";
import { authorize, CLI_REDIRECT, cliLogin, pkce, tokenRequest } from "./support/oauth.ts";

const claimsOf = (jwt: unknown) =>
  JSON.parse(Buffer.from(String(jwt).split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>;

describe("Linux VM Sign-In tokens are issued only DPoP-bound", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ config: { deviceFlow: { intervalSeconds: 1 } } });
  });
  after(() => h.close());

  /** The CLI's sign-in: no resource named, so the grant covers Linux VM Sign-In and the management API. */
  async function cliSignIn(accountId: string, headers: Record<string, string> = {}) {
    const { verifier, challenge } = pkce();
    const back = await authorize(h, accountId, {
      scope: "openid profile offline_access",
      resource: undefined,
      code_challenge: challenge,
      code_challenge_method: "S256",
    });
    return tokenRequest(
      h,
      {
        grant_type: "authorization_code",
        client_id: HOSTPASS_CLI_CLIENT_ID,
        code: back.searchParams.get("code") ?? "",
        redirect_uri: CLI_REDIRECT,
        code_verifier: verifier,
      },
      headers,
    );
  }

  const refresh = (token: unknown, extra: Record<string, string>, headers: Record<string, string> = {}) =>
    tokenRequest(
      h,
      {
        grant_type: "refresh_token",
        client_id: HOSTPASS_CLI_CLIENT_ID,
        refresh_token: String(token),
        ...extra,
      },
      headers,
    );

  it("refuses a code for Linux VM Sign-In redeemed without a DPoP proof", async () => {
    const user = h.accounts.addUser(TENANT, "unbound-code@contoso.example");
    const result = await cliLogin(h, user.id, { dpop: false });
    assert.equal(result.status, 400, JSON.stringify(result.body));
    assert.equal(result.body.error, "invalid_dpop_proof");
    assert.match(String(result.body.error_description), /only DPoP-bound/);
    assert.equal(result.body.access_token, undefined);
  });

  it("redeems a code for both resources without a proof for the management API, never an unbound sign-in token", async () => {
    const user = h.accounts.addUser(TENANT, "both@contoso.example");
    const plain = await cliSignIn(user.id);
    assert.equal(plain.status, 200, JSON.stringify(plain.body));
    assert.equal(plain.body.token_type, "Bearer");
    assert.equal(claimsOf(plain.body.access_token).aud, MANAGEMENT_API_RESOURCE);
    await assert.rejects(h.server.verifyLinuxSignInToken(String(plain.body.access_token)));
    // With a proof, the same kind of code gives a Linux VM Sign-In token bound to the proof's key.
    const key = dpopKey();
    const bound = await cliSignIn(user.id, { dpop: await key.proof(`${h.issuer}/token`) });
    assert.equal(bound.status, 200, JSON.stringify(bound.body));
    assert.equal(bound.body.token_type, "DPoP");
    const token = await h.server.verifyLinuxSignInToken(String(bound.body.access_token));
    assert.equal(token.confirmationJkt, await key.thumbprint());
  });

  it("refuses a refresh for Linux VM Sign-In without a proof, and the refresh token is not used up", async () => {
    const user = h.accounts.addUser(TENANT, "unbound-refresh@contoso.example");
    const login = await cliSignIn(user.id);
    const forSignIn = { resource: LINUX_VM_SIGN_IN_RESOURCE, scope: LINUX_VM_SIGN_IN_SCOPE };
    const refused = await refresh(login.body.refresh_token, forSignIn);
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.equal(refused.body.error, "invalid_dpop_proof");
    assert.equal(refused.body.refresh_token, undefined);
    // The same refresh token still works (not rotated away, its family not revoked), with a proof.
    const key = dpopKey();
    const ok = await refresh(login.body.refresh_token, forSignIn, {
      dpop: await key.proof(`${h.issuer}/token`),
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.token_type, "DPoP");
    const token = await h.server.verifyLinuxSignInToken(String(ok.body.access_token));
    assert.equal(token.confirmationJkt, await key.thumbprint());
    // A refresh without a resource (the grant's several: one picked) gets the management API.
    const plain = await refresh(ok.body.refresh_token, {});
    assert.equal(plain.status, 200, JSON.stringify(plain.body));
    assert.equal(claimsOf(plain.body.access_token).aud, MANAGEMENT_API_RESOURCE);
  });

  it("refuses a device code for Linux VM Sign-In polled without a proof", async () => {
    const user = h.accounts.addUser(TENANT, "unbound-device@contoso.example");
    const flow = await startDeviceFlow(h);
    const browser = new Browser();
    const html = await (await enterCode(h, browser, flow.user_code)).text();
    h.signIn = { accountId: user.id, amr: ["pwd"] };
    await approve(h, browser, flow.user_code, html);
    await sleep(1100);
    const result = await poll(h, flow.device_code, false);
    assert.equal(result.status, 400, JSON.stringify(result.body));
    assert.equal(result.body.error, "invalid_dpop_proof");
    assert.equal(result.body.access_token, undefined);
  });

  it("binds to keys of every type the CA certifies: Ed25519, ECDSA P-256/384/521, RSA (PS256)", async () => {
    const user = h.accounts.addUser(TENANT, "key-types@contoso.example");
    const login = await cliSignIn(user.id);
    let refreshToken = login.body.refresh_token;
    const pairs: [string, KeyObject, KeyObject][] = [
      ["EdDSA", ...pair(generateKeyPairSync("ed25519"))],
      ["ES256", ...pair(generateKeyPairSync("ec", { namedCurve: "P-256" }))],
      ["ES384", ...pair(generateKeyPairSync("ec", { namedCurve: "P-384" }))],
      ["ES512", ...pair(generateKeyPairSync("ec", { namedCurve: "P-521" }))],
      ["PS256", ...pair(generateKeyPairSync("rsa", { modulusLength: 3072 }))],
    ];
    for (const [alg, privateKey, publicKey] of pairs) {
      const jwk = publicKey.export({ format: "jwk" }) as JWK;
      const proof = await new SignJWT({ jti: randomUUID(), htm: "POST", htu: `${h.issuer}/token` })
        .setProtectedHeader({ typ: "dpop+jwt", alg, jwk })
        .setIssuedAt()
        .sign(privateKey);
      const result = await refresh(
        refreshToken,
        { resource: LINUX_VM_SIGN_IN_RESOURCE, scope: LINUX_VM_SIGN_IN_SCOPE },
        { dpop: proof },
      );
      assert.equal(result.status, 200, `${alg}: ${JSON.stringify(result.body)}`);
      const token = await h.server.verifyLinuxSignInToken(String(result.body.access_token));
      assert.equal(token.confirmationJkt, await calculateJwkThumbprint(jwk), alg);
      refreshToken = result.body.refresh_token;
    }
  });
});

function pair(keys: { privateKey: KeyObject; publicKey: KeyObject }): [KeyObject, KeyObject] {
  return [keys.privateKey, keys.publicKey];
}
