/** Password + TOTP sign-in in Chromium: success, generic failures, lockout, CSRF, CSP. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { enrollTotp, totpCodeAt } from "../../src/mfa/index.ts";
import { assertClean, auditPages, launchChromium, submit } from "./helpers/chromium.ts";
import { type PortalApp, startPortalApp } from "./helpers/portal-app.ts";

const GENERIC = "We couldn't sign you in with those details. Check them and try again.";

describe("sign-in in Chromium", () => {
  let portal: PortalApp;
  let browser: Browser;
  let secret: string;
  before(async () => {
    portal = await startPortalApp({ listen: true, maxFailures: 3 });
    const erin = portal.backend.addUser("erin@contoso.com", "erins-password");
    secret = (await enrollTotp("hostpass", erin.upn)).secret;
    portal.backend.setTotp(erin.id, secret);
    portal.backend.addUser("frank@contoso.com", "franks-password");
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await portal?.close();
  });

  test("password then TOTP reaches the OAuth client; a wrong password and a wrong code get the generic message", async () => {
    portal.backend.interactions.set("int-1", {
      uid: "int-1",
      kind: "login",
      clientId: "cli",
      clientName: "hostpass CLI",
      scopes: ["openid", "vm.login"],
      mfaRequired: false,
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    const audit = auditPages(page, portal.origin);
    await page.goto(`${portal.origin}/interaction/int-1`);
    await page.screenshot({ path: "/tmp/hostpass-portal-sign-in.png" });
    assert.equal(await page.textContent(".sub strong"), "hostpass CLI");

    await page.fill("#username", "erin@contoso.com");
    await page.fill("#password", "wrong-password");
    await submit(page, "form[action='/signin/password'] button[type=submit]");
    assert.equal(await page.textContent(".alert.error:not([hidden])"), GENERIC);

    await page.fill("#password", "erins-password");
    await submit(page, "form[action='/signin/password'] button[type=submit]");
    assert.equal(new URL(page.url()).pathname, "/signin/factor");
    await page.fill("#code", totpCodeAt(secret, Date.now() - 300_000).padStart(6, "0"));
    await submit(page, "form[action='/signin/totp'] button");
    assert.equal(await page.textContent(".alert.error"), GENERIC);

    await page.fill("#code", totpCodeAt(secret, Date.now()));
    await submit(page, "form[action='/signin/totp'] button");
    assert.equal(new URL(page.url()).pathname, "/test-client/callback");
    const outcome = portal.backend.outcomes.get("int-1");
    assert.deepEqual(outcome?.kind === "login" && outcome.amr, ["pwd", "otp", "mfa"]);
    assertClean(audit);
    await context.close();
  });

  test("after three failures the account is locked, with the same words for a real and an unknown user", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    for (const username of ["frank@contoso.com", "nobody@contoso.com"]) {
      await page.goto(`${portal.origin}/signin`);
      for (let i = 0; i < 3; i++) {
        await page.fill("#username", username);
        await page.fill("#password", `guess-${i}`);
        await submit(page, "form[action='/signin/password'] button[type=submit]");
        assert.equal(await page.textContent(".alert.error"), GENERIC);
      }
      await page.fill("#password", "franks-password");
      await submit(page, "form[action='/signin/password'] button[type=submit]");
      assert.equal(
        await page.textContent(".alert.error"),
        "Too many failed attempts. Try again in 15 minutes.",
      );
    }
    await context.close();
  });

  test("TOTP enrolment shows the QR code (inline SVG under the CSP) and the key, and a code confirms it", async () => {
    const ivan = portal.backend.addUser("ivan@contoso.com", "ivans-password");
    const context = await browser.newContext();
    const page = await context.newPage();
    const audit = auditPages(page, portal.origin);
    await page.goto(`${portal.origin}/signin?return=/security/totp`);
    await page.fill("#username", "ivan@contoso.com");
    await page.fill("#password", "ivans-password");
    await submit(page, "form[action='/signin/password'] button[type=submit]");
    assert.equal(new URL(page.url()).pathname, "/security/totp");
    const box = await page.locator(".qr svg").boundingBox();
    assert.ok(box !== null && box.width === 200 && box.height === 200, "the stylesheet sized the QR code");
    await page.screenshot({ path: "/tmp/hostpass-portal-totp-enrol.png", fullPage: true });
    const key = ((await page.textContent("[data-field=secret]")) ?? "").replace(/ /g, "");
    await page.fill("#code", totpCodeAt(key, Date.now()));
    await submit(page, "form[action='/security/totp'] button");
    assert.equal(await page.textContent("[data-factor=totp]"), "Set up");
    assert.equal(portal.backend.users.get(ivan.id)?.totp?.secret, key);
    assertClean(audit);
    await context.close();
  });

  test("a form POST with a missing or altered CSRF token is refused", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    for (const tamper of ["remove", "alter"] as const) {
      await page.goto(`${portal.origin}/signin`);
      await page.fill("#username", "frank@contoso.com");
      await page.fill("#password", "franks-password");
      const csrf = page.locator("form[action='/signin/password'] input[name=csrf]");
      // Runs in the page (typed structurally: this Node-only project has no DOM types).
      await csrf.evaluate((input: { value: string; remove(): void }, how) => {
        if (how === "remove") input.remove();
        else input.value = `${input.value.slice(0, -2)}${input.value.endsWith("AA") ? "BB" : "AA"}`;
      }, tamper);
      const [response] = await Promise.all([
        page.waitForNavigation(),
        page.click("form[action='/signin/password'] button[type=submit]"),
      ]);
      assert.equal(response?.status(), 403, tamper);
      assert.match((await page.textContent("main")) ?? "", /This page has expired/);
    }
    await context.close();
  });
});
