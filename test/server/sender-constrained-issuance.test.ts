/**
 * Linux VM Sign-In tokens are sender-constrained end to end (issue 11 item 5), on a real
 * `hostpass server` over HTTPS: its authorization server refuses an unbound token, and its CA
 * refuses a bearer (unbound) token, a token bound to another key than the one that made the proof,
 * and a bound token presented as `Bearer`; each refusal is a failed sign-in with its stable code,
 * and no certificate is issued. The management API refuses a real token for it that lacks its scope.
 */
import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { decodeJwt, decodeProtectedHeader, SignJWT } from "jose";
import { createKeyProof } from "../../src/ca/index.ts";
import { type Connection, discover, signInServicePrincipal } from "../../src/cli/session/oauth.ts";
import { addClientSecret, createServicePrincipal } from "../../src/directory/index.ts";
import { type RunningServer, startServer } from "../../src/server/index.ts";
import { LINUX_VM_SIGN_IN_RESOURCE, LINUX_VM_SIGN_IN_SCOPE } from "../../src/shared/well-known.ts";
import { formatPublicKey, generateKeyPair } from "../../src/ssh/index.ts";
import { postJson } from "../helpers/https-post.ts";

type SshKey = ReturnType<typeof generateKeyPair>;

const ALGS = "EdDSA Ed25519 ES256 ES384 ES512 RS256 RS384 RS512 PS256 PS384 PS512";

describe("sender-constrained Linux VM Sign-In tokens on a real server", () => {
  let dataDir: string;
  let running: RunningServer;
  let agent: Agent;
  let conn: Connection;
  let endpoint: URL;
  let sp: { id: string; appId: string };
  let secret: string;
  let tenantId: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "hostpass-bound-"));
    running = await startServer({
      dataDir,
      listen: "127.0.0.1:0",
      adminPassword: "admin password for bound-token tests",
      logLevel: "silent",
    });
    tenantId = running.bootstrap.tenant.id;
    sp = await createServicePrincipal(running.store.directory, { tenantId, displayName: "bound" });
    ({ secret } = await addClientSecret(running.store.directory, {
      tenantId,
      principalId: sp.id,
      expiresAt: new Date(Date.now() + 3_600_000),
    }));
    const caFile = join(dataDir, "tls", "server-cert.pem");
    conn = await discover(running.url, caFile);
    agent = new Agent({ keepAlive: true, ca: readFileSync(caFile) });
    endpoint = new URL(`${running.publicUrl}/ssh/certificates`);
  });
  after(async () => {
    agent?.destroy();
    await running?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const tokenBoundTo = async (key: SshKey) =>
    (
      await signInServicePrincipal(
        conn,
        sp.appId,
        { secret },
        LINUX_VM_SIGN_IN_RESOURCE,
        LINUX_VM_SIGN_IN_SCOPE,
        key.privateKey,
      )
    ).access_token;

  /** `POST /ssh/certificates` for `key`, its proof made with `proofKey`. */
  async function issue(
    token: string,
    key: SshKey,
    options: { proofKey?: SshKey; scheme?: string } = {},
  ): Promise<{
    status: number;
    challenge: string | undefined;
    body: { certificate?: string; error?: { code: string } };
  }> {
    const proofKey = options.proofKey ?? key;
    const dpop = await createKeyProof(proofKey.privateKey, proofKey.publicKey, {
      method: "POST",
      url: endpoint.href,
      accessToken: token,
    });
    const answer = await postJson(
      agent,
      endpoint,
      { authorization: `${options.scheme ?? "DPoP"} ${token}`, dpop },
      JSON.stringify({ publicKey: formatPublicKey(key.publicKey) }),
    );
    const challenge = answer.headers["www-authenticate"];
    return { status: answer.status, challenge, body: JSON.parse(answer.text) };
  }

  function call(
    method: string,
    url: string,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request(url, { method, agent, headers }, (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  const certificates = async () =>
    (await running.store.certificates.list({ tenantId }, { limit: 1000 })).items.length;

  /** The refusal is a failed sign-in and a failed issuance event, both with the stable code. */
  async function assertRecordedRefusal(code: string) {
    const signIns = await running.store.signInLog.query(
      { tenantId, principalId: sp.id, result: "failure" },
      { limit: 100 },
    );
    assert.ok(
      signIns.items.some((s) => s.failureReason?.startsWith(code)),
      JSON.stringify(signIns.items.map((s) => s.failureReason)),
    );
    const events = await running.store.audit.query(
      { tenantId, action: "Ssh/certificates/issue" },
      { limit: 100 },
    );
    assert.ok(events.items.some((e) => e.result === "failure" && e.details.code === code));
  }

  test("control: a token bound to the key gets its certificate", async () => {
    const key = generateKeyPair("ssh-ed25519");
    const answer = await issue(await tokenBoundTo(key), key);
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    assert.equal(answer.challenge, undefined);
  });

  test("the authorization server refuses a Linux VM Sign-In token without a DPoP proof, in the sign-in log (also after its keys are reloaded)", async () => {
    const refusedNow = async () => {
      await assert.rejects(
        signInServicePrincipal(conn, sp.appId, { secret }, LINUX_VM_SIGN_IN_RESOURCE, LINUX_VM_SIGN_IN_SCOPE),
        (error: { details?: { error?: string } }) => {
          assert.equal(error.details?.error, "invalid_dpop_proof");
          return true;
        },
      );
      // The log is written after the answer: wait for it.
      for (let i = 0; i < 50; i++) {
        const logged = await running.store.signInLog.query(
          { tenantId, principalId: sp.id, result: "failure" },
          { limit: 100 },
        );
        const n = logged.items.filter((x) => x.failureReason?.startsWith("invalid_dpop_proof")).length;
        if (n > 0) return n;
        await new Promise((r) => setTimeout(r, 20));
      }
      return 0;
    };
    const first = await refusedNow();
    assert.ok(first >= 1, "the refused grant is in the sign-in log");
    // A new provider (new signing keys) keeps recording refused grants.
    await running.authorizationServer.reloadKeys();
    let after = first;
    await assert.rejects(
      signInServicePrincipal(conn, sp.appId, { secret }, LINUX_VM_SIGN_IN_RESOURCE, LINUX_VM_SIGN_IN_SCOPE),
    );
    for (let i = 0; i < 50 && after === first; i++) {
      await new Promise((r) => setTimeout(r, 20));
      after = (
        await running.store.signInLog.query(
          { tenantId, principalId: sp.id, result: "failure" },
          { limit: 100 },
        )
      ).items.filter((x) => x.failureReason?.startsWith("invalid_dpop_proof")).length;
    }
    assert.equal(after, first + 1, "recorded by the reloaded provider too");
  });

  test("the CA refuses a bearer (unbound) token signed by the server's own key: ERR_CA_TOKEN_UNBOUND", async () => {
    // What a stolen unbound token would be: the claims of a real token, without `cnf`, signed
    // with the authorization server's active key (the authorization server itself issues none).
    const key = generateKeyPair("ssh-ed25519");
    const real = await tokenBoundTo(key);
    const { cnf: _cnf, ...claims } = decodeJwt(real);
    const header = decodeProtectedHeader(real);
    const active = (await running.store.signingKeys.listSigningKeys()).find((k) => k.status === "active");
    assert.ok(active);
    const unbound = await new SignJWT(claims)
      .setProtectedHeader({ alg: String(header.alg), typ: "at+jwt", kid: String(header.kid) })
      .sign(createPrivateKey({ key: active.privateJwk, format: "jwk" }));
    const before = await certificates();
    for (const scheme of ["Bearer", "DPoP"]) {
      const answer = await issue(unbound, key, { scheme });
      assert.equal(answer.status, 401, JSON.stringify(answer.body));
      assert.equal(answer.body.error?.code, "ERR_CA_TOKEN_UNBOUND");
      assert.equal(answer.challenge, `DPoP error="invalid_token", algs="${ALGS}"`);
    }
    assert.equal(await certificates(), before, "no certificate");
    await assertRecordedRefusal("ERR_CA_TOKEN_UNBOUND");
  });

  test("the CA refuses a token bound to key A used with a proof (and request) from key B", async () => {
    const a = generateKeyPair("ssh-ed25519");
    const b = generateKeyPair("ssh-ed25519");
    const tokenOfA = await tokenBoundTo(a);
    const before = await certificates();
    const stolen = await issue(tokenOfA, b);
    assert.equal(stolen.status, 401, JSON.stringify(stolen.body));
    assert.equal(stolen.body.error?.code, "ERR_CA_PROOF_INVALID");
    assert.equal(stolen.challenge, `DPoP error="invalid_dpop_proof", algs="${ALGS}"`);
    // Key A's proof for key B's certificate is refused too (the proof's key is the key certified).
    const mixed = await issue(tokenOfA, b, { proofKey: a });
    assert.equal(mixed.status, 401, JSON.stringify(mixed.body));
    assert.equal(await certificates(), before, "no certificate");
    await assertRecordedRefusal("ERR_CA_PROOF_INVALID");
  });

  test("the management API checks the scope, not only the audience: a real API token without it is refused", async () => {
    const form = (scope?: string) =>
      new URLSearchParams({
        grant_type: "client_credentials",
        client_id: sp.appId,
        client_secret: secret,
        resource: "urn:hostpass:api",
        ...(scope === undefined ? {} : { scope }),
      }).toString();
    const me = async (scope?: string) => {
      const tokens = await call("POST", `${running.url}/oauth2/token`, form(scope), {
        "content-type": "application/x-www-form-urlencoded",
      });
      assert.equal(tokens.status, 200, tokens.text);
      const token = JSON.parse(tokens.text).access_token as string;
      assert.equal(decodeJwt(token).aud, "urn:hostpass:api", "a token for the API");
      return (await call("GET", `${running.url}/me`, undefined, { authorization: `Bearer ${token}` })).status;
    };
    assert.equal(await me("user_impersonation"), 200, "control: with the API's scope");
    assert.equal(await me(), 401, "the API's audience without its scope acts for nobody");
  });

  test("the CA refuses a bound token presented with the Bearer scheme", async () => {
    const key = generateKeyPair("ssh-ed25519");
    const answer = await issue(await tokenBoundTo(key), key, { scheme: "Bearer" });
    assert.equal(answer.status, 401, JSON.stringify(answer.body));
    assert.equal(answer.body.error?.code, "ERR_CA_PROOF_INVALID");
    assert.equal(answer.challenge, `DPoP error="invalid_dpop_proof", algs="${ALGS}"`);
  });

  // RFC 9449 §7.1: every 401 of the CA names the scheme and the proof algorithms it accepts; one
  // without any credential carries no error (RFC 6750 §3.1), a token it cannot use says so.
  test("the CA's 401 answers carry WWW-Authenticate: DPoP with error and algs", async () => {
    const key = generateKeyPair("ssh-ed25519");
    const body = JSON.stringify({ publicKey: formatPublicKey(key.publicKey) });
    const none = await postJson(agent, endpoint, {}, body);
    assert.equal(none.status, 401, none.text);
    assert.equal(none.headers["www-authenticate"], `DPoP algs="${ALGS}"`);
    const forged = await postJson(agent, endpoint, { authorization: "DPoP not.a.token", dpop: "x" }, body);
    assert.equal(forged.status, 401, forged.text);
    assert.equal(forged.headers["www-authenticate"], `DPoP error="invalid_token", algs="${ALGS}"`);
    const noProof = await postJson(
      agent,
      endpoint,
      { authorization: `DPoP ${await tokenBoundTo(key)}` },
      body,
    );
    assert.equal(noProof.status, 401, noProof.text);
    assert.equal(noProof.headers["www-authenticate"], `DPoP error="invalid_dpop_proof", algs="${ALGS}"`);
    for (const alg of ["EdDSA", "ES256", "ES384", "ES512", "RS256", "PS256"])
      assert.ok(ALGS.split(" ").includes(alg));
  });
});
