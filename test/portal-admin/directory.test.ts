/** The directory pages in Chromium on a real server: users, groups (nested), service principals, devices. */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import {
  authenticateUser,
  findUserByUpn,
  getDevice,
  isPasswordChangeRequired,
  registerDevice,
} from "../../src/directory/index.ts";
import { submit } from "../portal/helpers/chromium.ts";
import {
  checkPage,
  type Harness,
  noticeOn,
  openAdminPortal,
  type PortalBrowser,
  startHarness,
} from "./harness.ts";

describe("portal: directory", () => {
  let harness: Harness;
  let portal: PortalBrowser;
  let page: Page;
  let tenantId: string;
  before(async () => {
    harness = await startHarness();
    tenantId = harness.running.bootstrap.tenant.id;
    portal = await openAdminPortal(harness);
    page = portal.page;
  });
  after(async () => {
    await portal?.close();
    await harness?.close();
  });

  const notice = () => noticeOn(page);
  const directory = () => harness.running.store.directory;

  it("creates a user with a generated temporary password shown once, which must be changed", async () => {
    await page.click("nav.sidenav a:text('Directory')");
    await page.waitForURL(/\/portal\/directory\/users$/);
    await page.fill("#u-upn", "erin@hostpass.local");
    await page.fill("#u-name", "Erin Example");
    await submit(page, "form[method=post][action$='/directory/users'] button");
    assert.match(await notice(), /User erin@hostpass\.local created/);
    const shown = ((await page.textContent("[data-shown-once] code")) ?? "").trim();
    assert.equal(shown.length, 20);
    await checkPage(page, "directory-users");
    const erin = await findUserByUpn(directory(), tenantId, "erin@hostpass.local");
    assert.ok(erin);
    await authenticateUser(directory(), tenantId, "erin@hostpass.local", shown);
    assert.equal(await isPasswordChangeRequired(directory(), tenantId, erin.id), true);
    await page.reload();
    assert.equal(await page.locator("[data-shown-once]").count(), 0, "a secret is shown once only");
  });

  it("searches users, disables one and resets its password", async () => {
    await page.fill("#dir-search", "ERIN");
    await submit(page, "form[role=search] button");
    assert.equal(await page.locator("main table tbody tr").count(), 1);
    await Promise.all([page.waitForNavigation(), page.click("main table a:text('Erin Example')")]);
    await checkPage(page, "directory-user");
    await submit(page, "form[action$='/enabled'] button");
    assert.match(await notice(), /Sign-in disabled/);
    assert.equal((await page.textContent(".facts .badge"))?.trim(), "Disabled");
    const erin = await findUserByUpn(directory(), tenantId, "erin@hostpass.local");
    assert.equal(erin?.enabled, false);
    await submit(page, "form[action$='/password'] button");
    assert.match(await notice(), /Password reset/);
    const temporary = ((await page.textContent("[data-shown-once] code")) ?? "").trim();
    await submit(page, "form[action$='/enabled'] button");
    await authenticateUser(directory(), tenantId, "erin@hostpass.local", temporary);
    await submit(page, "form[action$='/revoke'] button");
    assert.match(await notice(), /Sessions revoked/);
    const revoked = await findUserByUpn(directory(), tenantId, "erin@hostpass.local");
    assert.ok(revoked?.sessionsValidFrom instanceof Date, "sessions before now are void");
  });

  it("creates groups, nests one in the other and adds and removes a member found by search", async () => {
    await page.goto(`${harness.url}/portal/directory/groups`);
    for (const name of ["Linux Admins", "Night Shift"]) {
      await page.fill("#g-name", name);
      await submit(page, "form[method=post][action$='/directory/groups'] button");
      assert.match(await notice(), new RegExp(`Group ${name} created`));
    }
    await checkPage(page, "directory-groups");
    await Promise.all([page.waitForNavigation(), page.click("main table a:text('Linux Admins')")]);
    for (const [search, row] of [
      ["erin", "Erin Example (erin@hostpass.local)"],
      ["night", "Night Shift"],
    ] as const) {
      await page.fill("#dir-search", search);
      await submit(page, "form[role=search] button");
      await submit(page, `tr:has-text('${row}') form[action$='/add-member'] button`);
      assert.match(await notice(), /Member added/);
    }
    const members = (await page.textContent("main table")) ?? "";
    assert.match(members, /Erin Example\s*User/);
    assert.match(members, /Night Shift\s*Group/);
    await checkPage(page, "directory-group");
    await submit(page, "tr:has-text('Night Shift') form[action$='/remove-member'] button");
    assert.match(await notice(), /Member removed/);
    assert.doesNotMatch((await page.textContent("main table")) ?? "", /Night Shift/);
  });

  it("creates a service principal and a client secret shown once", async () => {
    await page.goto(`${harness.url}/portal/directory/service-principals`);
    await page.fill("#sp-name", "deploy bot");
    await submit(page, "form[method=post][action$='/directory/service-principals'] button");
    assert.match(await notice(), /Service principal deploy bot created/);
    await Promise.all([page.waitForNavigation(), page.click("main table a:text('deploy bot')")]);
    await submit(page, "form[action$='/secret'] button");
    const secret = ((await page.textContent("[data-shown-once] code")) ?? "").trim();
    assert.match(secret, /^hps_/);
    await checkPage(page, "directory-service-principal");
  });

  it("marks a registered device compliant", async () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const device = await registerDevice(directory(), {
      tenantId,
      ownerId: harness.running.bootstrap.adminId,
      displayName: "admin laptop",
      platform: "linux",
      publicKeyJwk: publicKey.export({ format: "jwk" }) as Record<string, string>,
    });
    await page.goto(`${harness.url}/portal/directory/devices`);
    assert.match((await page.textContent("main table")) ?? "", /admin laptop\s*linux\s*Not compliant/);
    await submit(page, "form[action$='/compliance'] button");
    assert.match(await notice(), /Marked compliant/);
    assert.equal((await getDevice(directory(), tenantId, device.id)).compliant, true);
    await checkPage(page, "directory-devices");
  });
});
