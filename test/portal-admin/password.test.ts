/**
 * Passwords in the portal: the first administrator's generated password works once (the first
 * sign-in must replace it), and anyone can change their own password from Security info.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { queryAuditEvents } from "../../src/audit/index.ts";
import { typePassword } from "../e2e/browser.ts";
import { submit } from "../portal/helpers/chromium.ts";
import { ADMIN_UPN, checkPage, type Harness, openPortal, startHarness } from "./harness.ts";

const CHOSEN = "a password the admin chose";

describe("portal passwords", () => {
  let harness: Harness;
  let generated: string;
  before(async () => {
    harness = await startHarness({ adminPassword: null });
    generated = harness.running.bootstrap.generatedPassword as string;
    assert.equal(typeof generated, "string");
  });
  after(async () => {
    await harness?.close();
  });

  it("the generated one-time password must be replaced at the first sign-in, and then stops working", async () => {
    const portal = await openPortal(harness);
    try {
      const { page } = portal;
      await page.goto(`${harness.url}/`);
      await typePassword(page, ADMIN_UPN, generated);
      assert.match(page.url(), /\/portal\/signin\/new-password$/);
      await checkPage(page, "sign-in-new-password");
      // Home is not reachable until the password is replaced: the flow is held here.
      await page.fill("#new_password", CHOSEN);
      await page.fill("#confirm_password", `${CHOSEN}!`);
      await submit(page, "form[action$='/signin/new-password'] button");
      assert.match((await page.textContent(".alert.error")) ?? "", /not the same/);
      await page.fill("#new_password", generated);
      await page.fill("#confirm_password", generated);
      await submit(page, "form[action$='/signin/new-password'] button");
      assert.match((await page.textContent(".alert.error")) ?? "", /different from the current one/);
      await page.fill("#new_password", "short");
      await page.fill("#confirm_password", "short");
      await page.$eval("form[action$='/signin/new-password']", (f) => f.setAttribute("novalidate", ""));
      await submit(page, "form[action$='/signin/new-password'] button");
      assert.match((await page.textContent(".alert.error")) ?? "", /12 to 1024 characters/);
      await page.fill("#new_password", CHOSEN);
      await page.fill("#confirm_password", CHOSEN);
      await submit(page, "form[action$='/signin/new-password'] button");
      await page.waitForURL(/\/portal\/$/);
      assert.equal(await page.textContent("[data-field=upn]"), ADMIN_UPN);
    } finally {
      await portal.close();
    }
    const again = await openPortal(harness);
    try {
      const { page } = again;
      await page.goto(`${harness.url}/`);
      await typePassword(page, ADMIN_UPN, generated);
      assert.match((await page.textContent(".alert.error")) ?? "", /couldn't sign you in/);
      await typePassword(page, ADMIN_UPN, CHOSEN);
      await page.waitForURL(/\/portal\/$/);
    } finally {
      await again.close();
    }
    const events = await queryAuditEvents(
      harness.running.store.audit,
      { tenantId: harness.running.bootstrap.tenant.id, action: "Directory/users/changePassword/action" },
      { limit: 10 },
    );
    assert.deepEqual(
      events.items.map((e) => [e.actor, e.result]),
      [[harness.running.bootstrap.adminId, "success"]],
    );
  });

  it("changes one's own password from Security info after proving the current one", async () => {
    const portal = await openPortal(harness);
    try {
      const { page } = portal;
      await page.goto(`${harness.url}/`);
      await typePassword(page, ADMIN_UPN, CHOSEN);
      await page.waitForURL(/\/portal\/$/);
      await page.goto(`${harness.url}/portal/security/password`);
      await checkPage(page, "security-password");
      await page.fill("#current_password", "not the password at all");
      await page.fill("#new_password", `${CHOSEN} two`);
      await page.fill("#confirm_password", `${CHOSEN} two`);
      await submit(page, "form[action$='/security/password'] button");
      assert.match((await page.textContent(".alert.error")) ?? "", /current password is not right/);
      await page.fill("#current_password", CHOSEN);
      await page.fill("#new_password", `${CHOSEN} two`);
      await page.fill("#confirm_password", `${CHOSEN} two`);
      await submit(page, "form[action$='/security/password'] button");
      assert.match(page.url(), /\/portal\/security\?done=password$/);
      assert.match((await page.textContent(".alert.info")) ?? "", /password is changed/);
    } finally {
      await portal.close();
    }
  });
});
