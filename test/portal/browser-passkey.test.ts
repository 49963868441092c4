/**
 * Passkeys in Chromium through its virtual authenticator (CDP WebAuthn domain): registration,
 * then sign-in with the discoverable credential alone, then as the second factor after a password.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { assertClean, auditPages, launchChromium, submit } from "./helpers/chromium.ts";
import { type PortalApp, startPortalApp } from "./helpers/portal-app.ts";

describe("passkeys in Chromium", () => {
  let portal: PortalApp;
  let browser: Browser;
  before(async () => {
    portal = await startPortalApp({ listen: true });
    portal.backend.addUser("grace@contoso.com", "graces-password");
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await portal?.close();
  });

  test("register a passkey, sign in with it alone, then use it as the second factor", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const audit = auditPages(page, portal.origin);
    const cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: {
        protocol: "ctap2",
        transport: "internal",
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });

    // A first factor may be added right after a password-only sign-in (the account has none yet).
    await page.goto(`${portal.origin}/signin?return=/security/passkeys`);
    await page.fill("#username", "grace@contoso.com");
    await page.fill("#password", "graces-password");
    await submit(page, "form[action='/signin/password'] button[type=submit]");
    assert.equal(new URL(page.url()).pathname, "/security/passkeys");
    await submit(page, "[data-passkey-start]");
    assert.equal(new URL(page.url()).search, "?done=passkey");
    assert.equal(await page.textContent("[data-factor=passkeys]"), "1 registered");
    const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    assert.equal(credentials.length, 1);
    assert.equal(credentials[0]?.isResidentCredential, true);
    const grace = [...portal.backend.users.values()].find((u) => u.account.upn === "grace@contoso.com");
    assert.equal(
      grace?.passkeys[0]?.id,
      credentials[0]?.credentialId.replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_"),
    );

    // Passkey alone (discoverable credential, user verification): no username typed.
    await submit(page, "form[action='/signout'] button");
    assert.equal(new URL(page.url()).pathname, "/signin");
    await submit(page, "[data-passkey-start]");
    assert.equal(new URL(page.url()).pathname, "/security");
    assert.match((await page.textContent(".who")) ?? "", /grace@contoso.com/);
    assert.deepEqual(
      portal.backend.events.filter((e) => e.method === "passkey").map((e) => e.result),
      ["success"],
    );
    assert.ok((grace?.passkeys[0]?.counter ?? 0) >= 0);

    // After a password, the account's passkey is the second factor.
    await submit(page, "form[action='/signout'] button");
    await page.fill("#username", "grace@contoso.com");
    await page.fill("#password", "graces-password");
    await submit(page, "form[action='/signin/password'] button[type=submit]");
    assert.equal(new URL(page.url()).pathname, "/signin/factor");
    assert.equal(await page.locator("#code").count(), 0, "no TOTP form: none enrolled");
    await submit(page, "[data-passkey-start]");
    assert.equal(new URL(page.url()).pathname, "/security");
    assert.equal(
      portal.backend.events.filter((e) => e.method === "passkey" && e.result === "success").length,
      2,
    );
    assertClean(audit);
    await context.close();
  });

  test("an assertion without a fresh challenge or a forged one is refused with the generic message; no CSRF token, no options", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${portal.origin}/signin`);
    const csrf = await page.inputValue("input[name=csrf] >> nth=0");
    const post = async (url: string, form: Record<string, string>) => {
      const res = await context.request.post(`${portal.origin}${url}`, {
        form,
        headers: { accept: "application/json" },
      });
      return { status: res.status(), body: (await res.json()) as { error?: string } };
    };
    const fake = JSON.stringify({ id: "AAAA", rawId: "AAAA", type: "public-key", response: {} });
    const noChallenge = await post("/signin/passkey/verify", { csrf, credential: fake });
    await post("/signin/passkey/options", { csrf });
    const forged = await post("/signin/passkey/verify", { csrf, credential: fake });
    const noCsrf = await post("/signin/passkey/options", {});
    const result = { noChallenge, forged, noCsrf };
    assert.equal(result.noChallenge.status, 400);
    assert.equal(result.forged.status, 401);
    assert.equal(
      result.forged.body.error,
      "We couldn't sign you in with those details. Check them and try again.",
    );
    assert.equal(result.noCsrf.status, 403);
    await context.close();
  });
});
