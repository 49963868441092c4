import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ADMIN_PASSWORD,
  ADMIN_UPN,
  checkPage,
  type Harness,
  openPortal,
  signIn,
  startHarness,
} from "./harness.ts";

describe("portal home", () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness?.close();
  });

  it("signs the administrator in and shows who, which tenant and which subscriptions", async () => {
    const portal = await openPortal(harness);
    try {
      const { page } = portal;
      await signIn(harness, page, ADMIN_UPN, ADMIN_PASSWORD);
      assert.equal(await page.textContent("[data-field=upn]"), ADMIN_UPN);
      const body = (await page.textContent("main")) ?? "";
      assert.match(body, /Default Directory/);
      assert.match(body, new RegExp(harness.running.bootstrap.subscriptionId));
      await checkPage(page, "home");
      await Promise.all([page.waitForNavigation(), page.click("header button[type=submit]")]);
      assert.match(page.url(), /\/portal\/interaction\//, "signed out: the home asks to sign in again");
    } finally {
      await portal.close();
    }
  });
});
