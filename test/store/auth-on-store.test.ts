/**
 * The authorization server's refusal rules with the store as its storage, key store and throttle
 * (the auth tests use in-memory doubles): code reuse and races, refresh-token family revocation,
 * client-assertion replay, the device flow, and signing-key rotation, on both dialects.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { decodeProtectedHeader, SignJWT } from "jose";
import {
  createAuthorizationServer,
  HOSTPASS_CLI_CLIENT_ID,
  InvalidAccessTokenError,
  LINUX_VM_SIGN_IN_RESOURCE,
  LINUX_VM_SIGN_IN_SCOPE,
} from "../../src/auth/index.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { Browser } from "../auth/support/browser.ts";
import { approve, enterCode, poll, startDeviceFlow } from "../auth/support/device.ts";
import { dpopKey } from "../auth/support/dpop.ts";
import type { Harness } from "../auth/support/harness.ts";
import { MemoryAccountSource } from "../auth/support/memory-accounts.ts";
import { generateSigningJwk } from "../auth/support/memory-key-store.ts";
import { authorize, CLI_REDIRECT, cliLogin, pkce, tokenRequest } from "../auth/support/oauth.ts";
import { createTestDatabase, selectedDialects, type TestDatabase } from "./dialects.ts";

const TENANT = "7d3c4f1e-2b8a-4c6d-9e0f-1a2b3c4d5e6f";

/** The auth tests' harness, with the store behind the server (`storage`/`keys` are the store's). */
async function startStoreHarness(store: Store): Promise<Harness> {
  const accounts = new MemoryAccountSource();
  let h: Harness | undefined;
  const signInPage = async (req: IncomingMessage, res: ServerResponse, harness: Harness) => {
    const input = harness.signIn;
    if (input === undefined || input === "abort") return void res.writeHead(400).end();
    const location = await harness.server.finishInteraction(req, res, input);
    res.writeHead(303, { location }).end();
  };
  const http = createServer((req, res) => {
    if (h === undefined) return void res.writeHead(503).end();
    if (req.url?.startsWith("/signin/"))
      return void signInPage(req, res, h).catch(() => res.writeHead(500).end());
    h.server.handler(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const issuer = `${base}/oauth2`;
  const server = await createAuthorizationServer(
    {
      issuer,
      cookieKeys: [randomBytes(24).toString("base64url")],
      interactionUrl: (uid) => `/signin/${uid}`,
      deviceFlow: { intervalSeconds: 1 },
    },
    { accounts, keys: store.signingKeys, storage: store.oidc, throttle: store.throttle },
  );
  h = {
    base,
    issuer,
    server,
    accounts,
    storage: store.oidc,
    keys: store.signingKeys,
    throttle: store.throttle,
    signIn: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  } as unknown as Harness;
  return h;
}

const codeExchange = (code: string, verifier: string) => ({
  grant_type: "authorization_code",
  client_id: HOSTPASS_CLI_CLIENT_ID,
  code,
  redirect_uri: CLI_REDIRECT,
  code_verifier: verifier,
});

for (const dialect of selectedDialects()) {
  describe(`authorization server on the ${dialect} store`, () => {
    let database: TestDatabase;
    let store: Store;
    let h: Harness;
    before(async () => {
      database = createTestDatabase(dialect);
      store = await openStore({ url: database.url, keyEncryptionKey: randomBytes(32) });
      await store.signingKeys.addSigningKey(generateSigningJwk(), "active");
      h = await startStoreHarness(store);
    });
    after(async () => {
      await h?.close();
      await store?.close();
      await database?.drop();
    });

    // Linux VM Sign-In tokens are issued DPoP-bound: every token request carries a proof by one key
    // (the CLI's refresh token is bound to the key of its sign-in).
    const key = dpopKey();
    const bound = async (params: Record<string, string>) =>
      tokenRequest(h, params, { dpop: await key.proof(`${h.issuer}/token`) });
    const refresh = (token: unknown) =>
      bound({
        grant_type: "refresh_token",
        client_id: HOSTPASS_CLI_CLIENT_ID,
        refresh_token: String(token),
      });

    it("refuses a reused code and revokes what its first use issued", async () => {
      const user = h.accounts.addUser(TENANT, "reuse@contoso.example");
      const { verifier, challenge } = pkce();
      const back = await authorize(h, user.id, { code_challenge: challenge, code_challenge_method: "S256" });
      const code = String(back.searchParams.get("code"));
      const first = await bound(codeExchange(code, verifier));
      assert.equal(first.status, 200, JSON.stringify(first.body));
      const second = await bound(codeExchange(code, verifier));
      assert.equal(second.body.error, "invalid_grant");
      assert.equal((await refresh(first.body.refresh_token)).body.error, "invalid_grant");
      await assert.rejects(
        h.server.verifyLinuxSignInToken(String(first.body.access_token)),
        InvalidAccessTokenError,
      );
    });

    it("lets at most one of concurrent redemptions of a code win", async () => {
      const user = h.accounts.addUser(TENANT, "race@contoso.example");
      const { verifier, challenge } = pkce();
      const back = await authorize(h, user.id, { code_challenge: challenge, code_challenge_method: "S256" });
      const code = String(back.searchParams.get("code"));
      const results = await Promise.all([1, 2, 3, 4].map(() => bound(codeExchange(code, verifier))));
      assert.ok(results.filter((r) => r.status === 200).length <= 1);
      assert.ok(results.some((r) => r.body.error === "invalid_grant"));
    });

    it("rotates refresh tokens and revokes the family on reuse", async () => {
      const user = h.accounts.addUser(TENANT, "family@contoso.example");
      const login = await cliLogin(h, user.id, { dpop: key });
      assert.equal(login.status, 200, JSON.stringify(login.body));
      const rotated = await refresh(login.body.refresh_token);
      assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
      assert.equal((await refresh(login.body.refresh_token)).body.error, "invalid_grant");
      assert.equal((await refresh(rotated.body.refresh_token)).body.error, "invalid_grant");
    });

    it("accepts a client assertion's jti once, even concurrently", async () => {
      const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const jwk = pair.publicKey.export({ format: "jwk" }) as Record<string, string>;
      const sp = h.accounts.addServicePrincipal(TENANT, { jwks: [jwk] });
      const now = Math.floor(Date.now() / 1000);
      const jwt = await new SignJWT({ jti: randomUUID() })
        .setProtectedHeader({ alg: "ES256" })
        .setIssuer(sp.appId)
        .setSubject(sp.appId)
        .setAudience(`${h.issuer}/token`)
        .setIssuedAt(now)
        .setExpirationTime(now + 60)
        .sign(pair.privateKey);
      const request = {
        grant_type: "client_credentials",
        resource: LINUX_VM_SIGN_IN_RESOURCE,
        scope: LINUX_VM_SIGN_IN_SCOPE,
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: jwt,
      };
      const results = await Promise.all([1, 2, 3].map(() => bound(request)));
      assert.equal(
        results.filter((r) => r.status === 200).length,
        1,
        JSON.stringify(results.map((r) => r.body)),
      );
    });

    it("runs the device flow through the store (user code lookup, polling limits)", async () => {
      const user = h.accounts.addUser(TENANT, "device@contoso.example");
      const hasty = await startDeviceFlow(h);
      assert.equal((await poll(h, hasty.device_code)).body.error, "authorization_pending");
      assert.equal((await poll(h, hasty.device_code)).body.error, "slow_down");
      const started = await startDeviceFlow(h);
      assert.equal((await poll(h, started.device_code)).body.error, "authorization_pending");
      const browser = new Browser();
      h.signIn = { accountId: user.id, amr: ["pwd"] };
      const approval = await enterCode(h, browser, started.user_code);
      const done = await approve(h, browser, started.user_code, await approval.text());
      assert.equal(done.status, 200);
      await new Promise((r) => setTimeout(r, started.interval * 1000 + 100));
      const token = await poll(h, started.device_code);
      assert.equal(token.status, 200, JSON.stringify(token.body));
    });

    it("publishes a next key, then signs with it after activation; old tokens stay valid", async () => {
      const user = h.accounts.addUser(TENANT, "rotation@contoso.example");
      const before = await cliLogin(h, user.id);
      const next = generateSigningJwk();
      await store.signingKeys.addSigningKey(next, "next");
      await h.server.reloadKeys();
      assert.ok(h.server.publicJwks().keys.some((k) => k.kid === next.kid));
      await store.signingKeys.activateSigningKey(next.kid as string);
      await h.server.reloadKeys();
      const afterLogin = await cliLogin(h, user.id);
      assert.equal(decodeProtectedHeader(String(afterLogin.body.access_token)).kid, next.kid);
      assert.ok(await h.server.verifyLinuxSignInToken(String(before.body.access_token)));
    });
  });
}
