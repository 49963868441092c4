/**
 * JSON the authorization server takes from clients inside JWTs (DPoP proofs, client assertions)
 * is refused when it names a member twice (issue 11 item 7), while the same JWT without the
 * duplicate is accepted: the refusal is about the duplicate, nothing else.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { JWK } from "jose";
import {
  HOSTPASS_CLI_CLIENT_ID,
  MANAGEMENT_API_RESOURCE,
  MANAGEMENT_API_SCOPE,
} from "../../src/auth/index.ts";
import { signRawJws } from "../helpers/raw-jws.ts";
import { type Harness, startHarness, TENANT } from "./support/harness.ts";
import { authorize, CLI_REDIRECT, pkce, tokenRequest } from "./support/oauth.ts";

describe("duplicate member names in JWTs the authorization server takes", () => {
  let h: Harness;
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = publicKey.export({ format: "jwk" }) as JWK;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const now = () => Math.floor(Date.now() / 1000);

  async function codeExchange(dpop: string) {
    const user = h.accounts.addUser(TENANT, `dup-${randomUUID().slice(0, 8)}@contoso.example`);
    const { verifier, challenge } = pkce();
    const back = await authorize(h, user.id, { code_challenge: challenge, code_challenge_method: "S256" });
    const form = {
      grant_type: "authorization_code",
      code: back.searchParams.get("code") ?? "",
      redirect_uri: CLI_REDIRECT,
      client_id: HOSTPASS_CLI_CLIENT_ID,
      code_verifier: verifier,
    };
    return tokenRequest(h, form, { dpop });
  }

  it("a DPoP proof at the token endpoint: invalid_dpop_proof with a duplicate, DPoP-bound without", async () => {
    const header = JSON.stringify({ typ: "dpop+jwt", alg: "ES256", jwk });
    const htu = `${h.issuer}/token`;
    const claims = (extra: string) =>
      `{"jti":"${randomUUID()}","htm":"POST"${extra},"htu":"${htu}","iat":${now()}}`;
    const duplicated = await codeExchange(
      signRawJws(header, claims(',"htu":"https://evil.example/token"'), privateKey),
    );
    assert.equal(duplicated.status, 400, JSON.stringify(duplicated.body));
    assert.equal(duplicated.body.error, "invalid_dpop_proof");
    const duplicateHeader = `{"typ":"dpop+jwt","alg":"ES256","alg":"ES256","jwk":${JSON.stringify(jwk)}}`;
    const inHeader = await codeExchange(signRawJws(duplicateHeader, claims(""), privateKey));
    assert.equal(inHeader.body.error, "invalid_dpop_proof");
    const control = await codeExchange(signRawJws(header, claims(""), privateKey));
    assert.equal(control.status, 200, JSON.stringify(control.body));
    assert.equal(control.body.token_type, "DPoP");
  });

  it("a client assertion: invalid_client with a duplicate, a token without", async () => {
    const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const spJwk = pair.publicKey.export({ format: "jwk" }) as Record<string, string>;
    const sp = h.accounts.addServicePrincipal(TENANT, { jwks: [spJwk] });
    const assertion = (extra: string) =>
      signRawJws(
        '{"alg":"ES256"}',
        `{"jti":"${randomUUID()}","iss":"${sp.appId}","sub":"${sp.appId}"${extra},"aud":"${h.issuer}/token","iat":${now()},"exp":${now() + 60}}`,
        pair.privateKey,
      );
    const form = (jwt: string) => ({
      grant_type: "client_credentials",
      resource: MANAGEMENT_API_RESOURCE,
      scope: MANAGEMENT_API_SCOPE,
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: jwt,
    });
    const duplicated = await tokenRequest(h, form(assertion(',"aud":"https://other.example/token"')));
    assert.equal(duplicated.status, 401, JSON.stringify(duplicated.body));
    assert.equal(duplicated.body.error, "invalid_client");
    const control = await tokenRequest(h, form(assertion("")));
    assert.equal(control.status, 200, JSON.stringify(control.body));
  });
});
