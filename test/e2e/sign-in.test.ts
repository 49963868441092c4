/**
 * Sign-in end to end on a real `hostpass server` (in process, HTTPS with its self-signed
 * certificate, 127.0.0.1 port 0): the CLI's own OAuth functions against the authorization server
 * at /oauth2, the real portal at /portal in Debian's Chromium, and the management API with the
 * tokens that come out. No token is minted by the test.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { http } from "../../src/cli/session/http.ts";
import {
  type Connection,
  discover,
  refresh,
  revoke,
  signInWithBrowser,
  signInWithDeviceCode,
  type TokenResponse,
} from "../../src/cli/session/oauth.ts";
import { createUser, setUserEnabled, type User } from "../../src/directory/index.ts";
import { enrollTotp, totpCodeAt } from "../../src/mfa/index.ts";
import { type RunningServer, startServer } from "../../src/server/index.ts";
import {
  MANAGEMENT_API_RESOURCE as API,
  MANAGEMENT_API_SCOPE as API_SCOPE,
  CLI_CLIENT_ID,
  LINUX_VM_SIGN_IN_RESOURCE,
  LINUX_VM_SIGN_IN_SCOPE,
  SIGN_IN_SCOPE,
} from "../../src/shared/well-known.ts";
import { generateKeyPair } from "../../src/ssh/index.ts";
import { launchChromium, submit } from "../portal/helpers/chromium.ts";
import { authorizeUrl, type OpenWith, typePassword, withBrowserContext } from "./browser.ts";

const ADMIN_PASSWORD = "admin password for the e2e test";
const GENERIC = "We couldn't sign you in with those details. Check them and try again.";

describe("sign-in end to end: hostpass server, portal in Chromium, CLI OAuth client", () => {
  let dataDir: string;
  let running: RunningServer;
  let browser: Browser;
  let conn: Connection;
  let caFile: string;
  let tenantId: string;
  let alice: User;
  let aliceSecret: string;
  let adminApi: string;

  const newUser = (upn: string, password: string) =>
    createUser(running.store.directory, { tenantId, upn, displayName: upn.split("@")[0] ?? upn, password });
  const api = (path: string, token: string) =>
    http(`${running.url}${path}`, { caFile, headers: { authorization: `Bearer ${token}` } });

  const inBrowser = <T>(run: (open: OpenWith) => Promise<T>) => withBrowserContext(browser, run);
  const browserSignIn = (steps: (page: Page) => Promise<void>): Promise<TokenResponse> =>
    inBrowser((open) =>
      signInWithBrowser(conn, {
        clientId: CLI_CLIENT_ID,
        scope: SIGN_IN_SCOPE,
        openBrowser: open(steps),
        print: () => undefined,
        timeoutMs: 60_000,
      }),
    );

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "hostpass-e2e-"));
    const listen = "127.0.0.1:0";
    running = await startServer({ dataDir, listen, adminPassword: ADMIN_PASSWORD, logLevel: "silent" });
    caFile = join(dataDir, "tls", "server-cert.pem");
    tenantId = running.bootstrap.tenant.id;
    conn = await discover(running.url, caFile);
    alice = await newUser("alice@hostpass.local", "alices password 1");
    aliceSecret = (await enrollTotp("hostpass", alice.upn)).secret;
    await running.store.mfa.saveTotp(alice.id, aliceSecret, null, new Date());
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await running?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("publishes the issuer at <url>/oauth2 and the portal's device page as verification URI", async () => {
    assert.equal(conn.metadata.issuer, `${running.url}/oauth2`);
    const jwks = await http(`${running.url}/.well-known/jwks.json`, { caFile });
    const published = await http(conn.metadata.jwks_uri, { caFile });
    assert.deepEqual(jwks.body, published.body, "one key set signs sign-in and API tokens");
  });

  it("browser sign-in with password + TOTP yields tokens; the refresh token reaches the management API", async () => {
    const tokens = await browserSignIn(async (page) => {
      assert.match(page.url(), /\/portal\/interaction\//);
      await typePassword(page, alice.upn, "alices password 1");
      assert.match(page.url(), /\/portal\/signin\/factor$/);
      await page.fill("#code", totpCodeAt(aliceSecret, Date.now()));
      await submit(page, "form[action$='/signin/totp'] button");
      await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
      assert.match((await page.textContent("body")) ?? "", /Signed in\. You can close this window/);
    });
    assert.equal(typeof tokens.refresh_token, "string");
    // The code was redeemed without a DPoP proof: a management API token, never an unbound Linux
    // VM Sign-In token. That one comes by refresh, bound to the SSH key (as `hostpass ssh` does).
    await assert.rejects(running.authorizationServer.verifyLinuxSignInToken(tokens.access_token));
    const key = generateKeyPair("ssh-ed25519");
    const signIn = await refresh(
      conn,
      CLI_CLIENT_ID,
      tokens.refresh_token as string,
      LINUX_VM_SIGN_IN_RESOURCE,
      LINUX_VM_SIGN_IN_SCOPE,
      key.privateKey,
    );
    assert.equal(signIn.token_type.toLowerCase(), "dpop");
    await running.authorizationServer.verifyLinuxSignInToken(signIn.access_token);
    const management = await refresh(conn, CLI_CLIENT_ID, signIn.refresh_token as string, API, API_SCOPE);
    const me = await api("/me", management.access_token);
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.deepEqual(me.body, {
      objectId: alice.id,
      tenantId,
      type: "user",
      displayName: "alice",
      userPrincipalName: alice.upn,
      tenantDisplayName: "Default Directory",
    });
    // A Linux VM Sign-In token is not a management token.
    assert.equal((await api("/me", signIn.access_token)).status, 401);
    // `hostpass logout` revokes the refresh token, which ends the grant: its API tokens stop too.
    await revoke(conn, CLI_CLIENT_ID, management.refresh_token as string);
    await new Promise((r) => setTimeout(r, 1100)); // the API's positive grant check lives 1 s
    assert.equal((await api("/me", management.access_token)).status, 401);
  });

  it("device code approved in the portal: the administrator's token works on an RBAC-protected route", async () => {
    let shown = "";
    const pending = signInWithDeviceCode(conn, {
      clientId: CLI_CLIENT_ID,
      scope: SIGN_IN_SCOPE,
      print: (line) => {
        shown = line;
      },
    });
    while (shown === "") await new Promise((r) => setTimeout(r, 20));
    const [, uri, code] = /open the page (\S+) and enter the code (\S+) /.exec(shown) ?? [];
    assert.equal(uri, `${running.url}/portal/device`);
    await inBrowser(async (open) => {
      await open(async (page) => {
        await typePassword(page, "admin@hostpass.local", ADMIN_PASSWORD);
        assert.match(page.url(), /\/portal\/device$/);
        await page.fill("#user_code", code as string);
        await submit(page, "form[action$='/device'] button[type=submit]");
        assert.match((await page.textContent("body")) ?? "", /hostpass CLI/);
        await submit(page, "button[value=approve]");
      })(uri as string);
    });
    const tokens = await pending;
    // Polled without a DPoP proof: the management API's token, not an unbound sign-in token.
    await assert.rejects(running.authorizationServer.verifyLinuxSignInToken(tokens.access_token));
    adminApi = (await refresh(conn, CLI_CLIENT_ID, tokens.refresh_token as string, API, API_SCOPE))
      .access_token;
    const users = await api("/directory/users", adminApi);
    assert.equal(users.status, 200, JSON.stringify(users.body));
    const names = (users.body as { value: { userPrincipalName: string }[] }).value.map(
      (u) => u.userPrincipalName,
    );
    assert.ok(names.includes(alice.upn));
  });

  it("a user enrols TOTP in the portal's security page; the next sign-in asks for it", async () => {
    const dave = await newUser("dave@hostpass.local", "daves password 12");
    await inBrowser(async (open) => {
      await open(async (page) => {
        await typePassword(page, dave.upn, "daves password 12");
        assert.match(page.url(), /\/portal\/security\/totp$/);
        const secret = ((await page.textContent("[data-field=secret]")) ?? "").replace(/\s/g, "");
        await page.fill("#code", totpCodeAt(secret, Date.now()));
        await submit(page, "form[action$='/security/totp'] button[type=submit]");
        assert.match(page.url(), /\/portal\/security\?done=totp$/);
      })(`${running.url}/portal/security/totp`);
    });
    const stored = await running.store.mfa.getTotp(dave.id);
    assert.ok(stored, "the seed is in the store (sealed with the key-encryption key)");
    const tokens = await browserSignIn(async (page) => {
      await typePassword(page, dave.upn, "daves password 12");
      assert.match(page.url(), /\/portal\/signin\/factor$/);
      await page.fill("#code", totpCodeAt(stored.secret, Date.now() + 30_000));
      await submit(page, "form[action$='/signin/totp'] button");
    });
    assert.equal(typeof tokens.access_token, "string");
  });

  it("acr_values=mfa (step-up) does not let a password alone through: an account without factors enrols first", async () => {
    const erin = await newUser("erin@hostpass.local", "erins password 12");
    const authorize = authorizeUrl(conn.metadata.authorization_endpoint, CLI_CLIENT_ID, {
      acr_values: "mfa",
    });
    await inBrowser(async (open) => {
      await open(async (page) => {
        await typePassword(page, erin.upn, "erins password 12");
        assert.match(page.url(), /\/portal\/security\?setup=required$/);
      })(authorize);
    });
  });

  it("a disabled user gets nothing: no sign-in, no refresh, no API call", async () => {
    const bob = await newUser("bob@hostpass.local", "bobs password 12");
    await setUserEnabled(running.store.directory, tenantId, bob.id, false);
    await assert.rejects(
      browserSignIn(async (page) => {
        await typePassword(page, bob.upn, "bobs password 12");
        assert.equal(await page.textContent(".alert.error"), GENERIC);
        await submit(page, "form[action$='/signin/cancel'] button");
      }),
      /access_denied/,
    );

    const carol = await newUser("carol@hostpass.local", "carols password 1");
    const tokens = await browserSignIn((page) => typePassword(page, carol.upn, "carols password 1"));
    const first = await refresh(conn, CLI_CLIENT_ID, tokens.refresh_token as string, API, API_SCOPE);
    assert.equal((await api("/me", first.access_token)).status, 200);
    await setUserEnabled(running.store.directory, tenantId, carol.id, false);
    await assert.rejects(
      refresh(conn, CLI_CLIENT_ID, first.refresh_token as string, API, API_SCOPE),
      /invalid_grant/,
    );
    await new Promise((r) => setTimeout(r, 1100)); // the API's positive principal check lives 1 s
    assert.equal((await api("/me", first.access_token)).status, 401);
  });

  it("records every attempt in the sign-in log, queryable by an administrator", async () => {
    const query = async (q: string) => {
      const res = await api(`/auditLogs/signIns?${q}`, adminApi);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return (res.body as { value: Record<string, unknown>[] }).value;
    };
    const aliceIn = await query(`userId=${alice.id}&result=success`);
    assert.ok(aliceIn.some((e) => e.mfaMethod === "totp" && e.appId === CLI_CLIENT_ID));
    const failures = await query("result=failure");
    assert.ok(
      failures.some(
        (e) => e.userPrincipalName === "bob@hostpass.local" && e.failureReason === "bad_credentials",
      ),
    );
    assert.ok(
      failures.some((e) => e.appId === CLI_CLIENT_ID && /invalid_grant/.test(String(e.failureReason))),
    );
    // Device polling before approval is the protocol's normal course, not a failed sign-in.
    assert.ok(!failures.some((e) => /authorization_pending|slow_down/.test(String(e.failureReason))));
    const first = await api("/auditLogs/signIns?top=1", adminApi);
    const { value, nextLink } = first.body as { value: { id: string }[]; nextLink?: string };
    assert.equal(value.length, 1);
    assert.match(String(nextLink), /^\/auditLogs\/signIns\?top=1&skipToken=/);
    const second = (await api(String(nextLink), adminApi)).body as { value: { id: string }[] };
    assert.notEqual(second.value[0]?.id, value[0]?.id);
    assert.deepEqual(
      await query(`from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`),
      [],
    );
    const aliceOnly = await api(`/auditLogs/signIns?userId=${alice.id}`, (await refreshAs()).access_token);
    assert.equal(aliceOnly.status, 403, "reading the sign-in log needs a role");
  });

  /** Alice again (no role assignment): for the RBAC refusal. */
  async function refreshAs(): Promise<TokenResponse> {
    const tokens = await browserSignIn(async (page) => {
      await typePassword(page, alice.upn, "alices password 1");
      await page.fill("#code", totpCodeAt(aliceSecret, Date.now() + 30_000));
      await submit(page, "form[action$='/signin/totp'] button");
    });
    return refresh(conn, CLI_CLIENT_ID, tokens.refresh_token as string, API, API_SCOPE);
  }
});
