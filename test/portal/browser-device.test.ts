/** Device-code approval in Chromium: sign in, type the code loosely, read who asks, approve or deny. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { assertClean, auditPages, launchChromium, submit } from "./helpers/chromium.ts";
import { type PortalApp, startPortalApp } from "./helpers/portal-app.ts";

describe("device-code approval in Chromium", () => {
  let portal: PortalApp;
  let browser: Browser;
  before(async () => {
    portal = await startPortalApp({ listen: true });
    portal.backend.addUser("heidi@contoso.com", "heidis-password");
    for (const code of ["QRST-VWXZ", "BCDF-GHJK"]) {
      portal.backend.devices.set(code.replace("-", ""), {
        userCode: code.replace("-", ""),
        clientId: "b95e88a6-adb6-476d-9b94-9e0584ce3198",
        clientName: "hostpass CLI",
        requestIp: "198.51.100.23",
        requestUserAgent: "hostpass/0.1.0 (linux; x64)",
        scopes: ["openid", "profile", "offline_access", "vm.login"],
      });
    }
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await portal?.close();
  });

  test("sign in from /device, enter the code, see client, IP and scopes with the warning, approve; then deny another", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const audit = auditPages(page, portal.origin);
    await page.goto(`${portal.origin}/device`);
    assert.equal(new URL(page.url()).pathname, "/signin");
    await page.fill("#username", "heidi@contoso.com");
    await page.fill("#password", "heidis-password");
    await submit(page, "form[action='/signin/password'] button[type=submit]");
    assert.equal(new URL(page.url()).pathname, "/device");

    await page.fill("#user_code", "qrst vwxz");
    await submit(page, "form[action='/device'] button[type=submit]");
    await page.screenshot({ path: "/tmp/hostpass-portal-device-approval.png", fullPage: true });
    assert.match((await page.textContent("[data-field=client]")) ?? "", /^hostpass CLI/);
    assert.match((await page.textContent("[data-field=ip]")) ?? "", /^198\.51\.100\.23/);
    assert.deepEqual(await page.locator("[data-field=scopes] li").allTextContents(), [
      "Sign you in",
      "Read your name and username",
      "Stay signed in (refresh tokens)",
      "Linux VM Sign-In: log in to Linux machines as you",
    ]);
    assert.match(
      (await page.textContent(".warning")) ?? "",
      /Only continue if you started this sign-in yourself on a device you control/,
    );
    assert.equal(await page.textContent("[data-field=code]"), "QRST-VWXZ");
    await submit(page, "button[value=approve]");
    assert.equal(await page.textContent("h1"), "You're signed in");
    assert.equal(portal.backend.deviceDecisions.get("QRSTVWXZ")?.approved, true);

    await page.goto(`${portal.origin}/device?code=bcdf-ghjk`);
    assert.equal(await page.inputValue("#user_code"), "BCDFGHJK");
    await submit(page, "form[action='/device'] button[type=submit]");
    await submit(page, "button[value=deny]");
    assert.equal(await page.textContent("h1"), "Sign-in denied");
    assert.equal(portal.backend.deviceDecisions.get("BCDFGHJK")?.approved, false);

    await page.goto(`${portal.origin}/device`);
    await page.fill("#user_code", "BCDF-GHJK");
    await submit(page, "form[action='/device'] button[type=submit]");
    assert.match(
      (await page.textContent(".alert.error")) ?? "",
      /isn't valid or has expired/,
      "a used code is gone",
    );
    assertClean(audit);
    await context.close();
  });
});
