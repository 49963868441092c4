/** Conditional access in Chromium on a real server: named locations, a policy edited as a document, what if. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { submit } from "../portal/helpers/chromium.ts";
import {
  ADMIN_UPN,
  checkPage,
  type Harness,
  noticeOn,
  openAdminPortal,
  type PortalBrowser,
  startHarness,
} from "./harness.ts";

const POLICY = {
  id: "mfa-outside-office",
  name: "Require MFA outside the office",
  state: "enabled",
  assignments: {
    users: { include: "All" },
    applications: { include: ["e6d7716a-22d0-4bda-a95d-08e339e47f73"] },
  },
  conditions: { locations: { include: "All", exclude: ["AllTrusted"] } },
  grantControls: { operator: "OR", controls: ["mfa"] },
};

describe("portal: conditional access", () => {
  let harness: Harness;
  let portal: PortalBrowser;
  let page: Page;
  before(async () => {
    harness = await startHarness();
    portal = await openAdminPortal(harness);
    page = portal.page;
  });
  after(async () => {
    await portal?.close();
    await harness?.close();
  });

  const notice = () => noticeOn(page);

  it("adds a trusted named location", async () => {
    await page.click("nav.sidenav a:text('Conditional access')");
    await page.waitForURL(/\/portal\/conditional-access$/);
    await checkPage(page, "conditional-access");
    await Promise.all([page.waitForNavigation(), page.click("nav.tabs a:text('Named locations')")]);
    await page.fill("#loc-name", "Office");
    await page.fill("#loc-cidrs", "203.0.113.0/24\n2001:db8::/32");
    await page.check("input[name=trusted]");
    await submit(page, "form[action$='/conditional-access/locations'] button");
    assert.match(await notice(), /Named location Office saved/);
    assert.match(
      (await page.textContent("main table")) ?? "",
      /Office\s*Trusted\s*203\.0\.113\.0\/24, 2001:db8::\/32/,
    );
    await checkPage(page, "conditional-access-locations");
  });

  it("refuses a broken policy with the reason, then saves a good one", async () => {
    await page.goto(`${harness.url}/portal/conditional-access/policies/new`);
    await checkPage(page, "conditional-access-policy");
    await page.fill("#policy-document", "{ not json");
    await submit(page, "form[action$='/conditional-access/policies'] button");
    assert.match((await page.textContent(".alert.error")) ?? "", /not a JSON object/);
    await page.fill("#policy-document", JSON.stringify({ ...POLICY, state: "sometimes" }));
    await submit(page, "form[action$='/conditional-access/policies'] button");
    assert.match((await page.textContent(".alert.error")) ?? "", /not saved: .*state/);
    await page.fill("#policy-document", JSON.stringify(POLICY, null, 2));
    await submit(page, "form[action$='/conditional-access/policies'] button");
    assert.match(await notice(), /Policy Require MFA outside the office saved/);
    assert.match(
      (await page.textContent("main table")) ?? "",
      /Require MFA outside the office\s*On\s*all users\s*mfa/,
    );
  });

  it("what if: MFA is needed outside the office, not inside it, and not once given", async () => {
    const decide = async (ip: string, mfa: boolean) => {
      await page.goto(`${harness.url}/portal/conditional-access/what-if`);
      await page.fill("#wi-principal", ADMIN_UPN);
      await page.fill("#wi-ip", ip);
      if (mfa) await page.check("input[name=mfa]");
      await submit(page, "form[action$='/what-if'] button");
      return page.getAttribute("[data-decision]", "data-decision");
    };
    assert.equal(await decide("198.51.100.9", false), "challenge");
    assert.match((await page.textContent("[data-decision]")) ?? "", /Needs mfa/);
    await checkPage(page, "conditional-access-what-if");
    assert.equal(await decide("203.0.113.7", false), "grant");
    assert.equal(await decide("198.51.100.9", true), "grant");
  });
});
