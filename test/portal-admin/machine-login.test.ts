/**
 * The seed's portal steps, end to end in Chromium on a real server: create a resource group, a
 * machine with "login with directory identity" (identity + extension in one step), give a user
 * Virtual Machine Administrator Login on the machine's IAM page, and see the role in "check
 * access", explained (directly, and through a group). Until the host agent runs the machine,
 * that is where the seed's "then the user logs in" ends.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { addGroupMember, createGroup, createUser } from "../../src/directory/index.ts";
import { submit } from "../portal/helpers/chromium.ts";
import {
  checkPage,
  type Harness,
  noticeOn,
  openAdminPortal,
  type PortalBrowser,
  startHarness,
} from "./harness.ts";

describe("portal: a machine with directory login, its IAM and check access", () => {
  let harness: Harness;
  let portal: PortalBrowser;
  let page: Page;
  before(async () => {
    harness = await startHarness();
    const tenantId = harness.running.bootstrap.tenant.id;
    const directory = harness.running.store.directory;
    await createUser(directory, { tenantId, upn: "alice@hostpass.local", displayName: "Alice Example" });
    const bob = await createUser(directory, {
      tenantId,
      upn: "bob@hostpass.local",
      displayName: "Bob Example",
    });
    const ops = await createGroup(directory, { tenantId, displayName: "Linux Operators" });
    await addGroupMember(directory, { tenantId, groupId: ops.id, memberId: bob.id });
    portal = await openAdminPortal(harness);
    page = portal.page;
  });
  after(async () => {
    await portal?.close();
    await harness?.close();
  });

  const notice = () => noticeOn(page);

  it("browses to the subscription and creates a resource group", async () => {
    await page.click("nav.sidenav a:text('Resources')");
    await page.waitForURL(/\/portal\/resources$/);
    await checkPage(page, "resources");
    await Promise.all([page.waitForNavigation(), page.click("main table a:text('Default Subscription')")]);
    await checkPage(page, "subscription");
    await page.fill("#rg-name", "LinuxVMs");
    await submit(page, "form[action*='/create-resource-group/'] button");
    assert.match(page.url(), /\/resourceGroups\/LinuxVMs$/);
    assert.match(await notice(), /Resource group LinuxVMs created/);
    await checkPage(page, "resource-group");
  });

  it("creates myVM with login with directory identity: identity and extension in one step", async () => {
    await Promise.all([page.waitForNavigation(), page.click("a:text('Create a virtual machine')")]);
    await checkPage(page, "create-machine");
    assert.equal(
      await page.isChecked("input[name=login]"),
      true,
      "login with directory identity is ticked by default",
    );
    await page.fill("#vm-name", "myVM");
    await page.fill("#vm-ip", "10.11.12.13");
    await submit(page, "form[action*='/create-machine/'] button[type=submit]");
    assert.match(page.url(), /\/virtualMachines\/myVM$/);
    // The extension is Succeeded at once, or Creating until the machine's agent reports (the host
    // channel): then the page says so and follows it (script polling, and a refresh without script).
    const state = ((await page.textContent("section[aria-labelledby=ext] td .badge")) ?? "").trim();
    if (state === "Creating") {
      assert.match(
        (await page.getAttribute("[data-progress]", "data-progress")) ?? "",
        /\/portal\/status\/subscriptions\//,
      );
      assert.equal(await page.locator("head noscript").count(), 1);
    } else {
      assert.equal(state, "Succeeded");
    }
    const main = (await page.textContent("main")) ?? "";
    assert.match(main, /System assigned/);
    assert.match(main, /SSHLoginForLinux/);
    assert.equal((await page.textContent("#connect-name"))?.trim(), "hostpass ssh vm -n myVM -g LinuxVMs");
    assert.equal((await page.textContent("#connect-ip"))?.trim(), "hostpass ssh vm --ip 10.11.12.13");
    await checkPage(page, "machine");
  });

  it("assigns Virtual Machine Administrator Login to a user found by search on the machine's IAM page", async () => {
    await Promise.all([page.waitForNavigation(), page.click("main a:text('Access control (IAM)')")]);
    await checkPage(page, "iam");
    await page.check("input[name=role][value='Virtual Machine Administrator Login']");
    await page.fill("#assignee-search", "alice");
    await submit(page, "form[method=get] button:text('Find')");
    assert.match(
      (await page.textContent("[data-field=chosen-role]")) ?? "",
      /Virtual Machine Administrator Login/,
    );
    assert.equal(await page.isChecked("input[name=principal]"), true, "the one match is preselected");
    await checkPage(page, "iam-add");
    await submit(page, "form[action*='/iam-assign/'] button[type=submit]");
    assert.match(await notice(), /Virtual Machine Administrator Login assigned/);
    const rows = (await page.textContent("main table")) ?? "";
    assert.match(rows, /Virtual Machine Administrator Login\s*Alice Example \(alice@hostpass\.local\)/);
    assert.match(
      rows,
      /Owner.*Inherited from\s*the root/s,
      "the administrator's root Owner shows as inherited",
    );
  });

  it("explains check access: granted directly, and through a group", async () => {
    await page.fill("#check-assignee", "alice@hostpass.local");
    await page.selectOption("#check-action", { label: "Log in as administrator, with sudo" });
    await submit(page, "form[action$='#check'] button");
    assert.equal(await page.getAttribute("[data-check-result]", "data-check-result"), "allowed");
    assert.equal(await page.textContent("[data-field=granted-role]"), "Virtual Machine Administrator Login");
    await checkPage(page, "iam-check");

    // Bob holds nothing yet: refused, with the reason.
    await page.fill("#check-assignee", "bob@hostpass.local");
    await page.selectOption("#check-action", { label: "Log in (Virtual Machine User Login)" });
    await submit(page, "form[action$='#check'] button");
    assert.equal(await page.getAttribute("[data-check-result]", "data-check-result"), "denied");

    // User Login for the group at the resource group: Bob gets it, through the group, inherited.
    await page.goto(page.url().replace(/\/providers\/Compute\/virtualMachines\/myVM.*$/, ""));
    await page.check("input[name=role][value='Virtual Machine User Login']");
    await page.fill("#assignee-search", "operators");
    await submit(page, "form[method=get] button:text('Find')");
    await submit(page, "form[action*='/iam-assign/'] button[type=submit]");
    assert.match(await notice(), /Virtual Machine User Login assigned/);
    await page.goto(
      `${page.url()}/providers/Compute/virtualMachines/myVM?assignee=bob%40hostpass.local&action=${encodeURIComponent("Compute/virtualMachines/login/action")}`,
    );
    assert.equal(await page.getAttribute("[data-check-result]", "data-check-result"), "allowed");
    assert.equal(await page.textContent("[data-field=via-group]"), "Linux Operators");
    assert.match(
      (await page.textContent("main table")) ?? "",
      /Virtual Machine User Login\s*Linux Operators\s*Group\s*Inherited from/,
    );
  });

  it("removes a role assignment made at this scope", async () => {
    const before = await page.locator("main table tbody tr").count();
    await submit(page, "form[action*='/iam-remove/'] button");
    assert.match(await notice(), /Removed: Virtual Machine Administrator Login for Alice Example/);
    assert.equal(await page.locator("main table tbody tr").count(), before - 1);
  });

  it("without an identity, enabling login fails with the seed's exit code 22 text; with one it succeeds", async () => {
    await page.goto(
      `${harness.url}/portal/resource/subscriptions/${harness.running.bootstrap.subscriptionId}/resourceGroups/LinuxVMs`,
    );
    await Promise.all([page.waitForNavigation(), page.click("a:text('Create a virtual machine')")]);
    await page.fill("#vm-name", "plainVM");
    await page.uncheck("input[name=login]");
    await submit(page, "form[action*='/create-machine/'] button[type=submit]");
    assert.match(await notice(), /Virtual machine plainVM created/);
    await submit(page, "form[action*='/enable-login/'] button");
    const failed = await notice();
    assert.match(failed, /exit code 22/);
    assert.match(failed, /Managed System Identity is required for directory-based SSH login to work/);
    await checkPage(page, "machine-login-failed");
    await submit(page, "form[action*='/assign-identity/'] button");
    assert.match(await notice(), /managed identity was assigned/);
    await submit(page, "form[action*='/enable-login/'] button");
    assert.match(await notice(), /Login with directory identity: (enabled|Creating)/);
  });
});
