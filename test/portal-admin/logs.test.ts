/**
 * The logs in Chromium on a real server: the sign-in log (real sign-ins through the portal, one
 * failed) with filters, pages, chart and CSV/JSON export; the activity log filtered by target;
 * a machine's login chart. Host logins are what the host agent will report as activity-log events
 * `Host/login` on the machine; until it runs here, the test appends such events through the real
 * audit module (src/audit), the way the service records an agent's report.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { appendAuditEvent } from "../../src/audit/index.ts";
import { createResourceGroup, createVirtualMachine } from "../../src/resources/index.ts";
import { typePassword } from "../e2e/browser.ts";
import { submit } from "../portal/helpers/chromium.ts";
import {
  ADMIN_UPN,
  checkPage,
  type Harness,
  openAdminPortal,
  openPortal,
  type PortalBrowser,
  startHarness,
} from "./harness.ts";

describe("portal: logs", () => {
  let harness: Harness;
  let portal: PortalBrowser;
  let page: Page;
  let machineId: string;
  before(async () => {
    harness = await startHarness();
    const stranger = await openPortal(harness);
    try {
      await stranger.page.goto(`${harness.url}/`);
      await typePassword(stranger.page, ADMIN_UPN, "a wrong password entirely");
    } finally {
      await stranger.close();
    }
    portal = await openAdminPortal(harness);
    page = portal.page;
    const tenantId = harness.running.bootstrap.tenant.id;
    const subscriptionId = harness.running.bootstrap.subscriptionId;
    const resources = harness.running.store.resources;
    await createResourceGroup(resources, { tenantId, subscriptionId, name: "logs", location: "local" });
    const machine = await createVirtualMachine(resources, {
      tenantId,
      subscriptionId,
      resourceGroup: "logs",
      name: "logVM",
      image: "debian-12",
      adminUsername: "localadmin",
    });
    machineId = machine.id;
    for (const result of ["success", "success", "failure"] as const) {
      await appendAuditEvent(harness.running.store.audit, {
        tenantId,
        actor: harness.running.bootstrap.adminId,
        action: "Host/login",
        target: machineId,
        result,
      });
    }
  });
  after(async () => {
    await portal?.close();
    await harness?.close();
  });

  it("shows the sign-in log with its chart, filters it and pages it", async () => {
    await page.click("nav.sidenav a:text('Logs')");
    await page.waitForURL(/\/portal\/logs\/sign-ins$/);
    const label = (await page.getAttribute("[data-chart] svg", "aria-label")) ?? "";
    assert.match(label, /in all, 1 failed/);
    // The time axis labels each day once (trial finding: a week's chart showed a date twice).
    const days = await page.locator("[data-chart] svg text.tick").allTextContents();
    assert.ok(days.length >= 6 && days.length <= 8, days.join(" "));
    for (const day of days) assert.match(day, /^\d\d-\d\d$/);
    assert.equal(new Set(days).size, days.length, days.join(" "));
    const rows = (await page.textContent("main .table-wrap table")) ?? "";
    assert.match(rows, /admin@hostpass\.local.*failure.*bad_credentials/s);
    await checkPage(page, "logs-sign-ins");
    await page.selectOption("#f-result", "failure");
    await submit(page, "form[aria-label=Filters] button");
    assert.match(page.url(), /result=failure/);
    const failures = await page.locator("main .table-wrap table tbody tr").count();
    assert.equal(failures, 1);
    await page.fill("#f-principal", "nobody@hostpass.local");
    await submit(page, "form[aria-label=Filters] button");
    assert.match((await page.textContent("main .alert.error")) ?? "", /No user nobody@hostpass\.local/);
  });

  it("labels a span of under two days with times, the date where a day begins, each label once", async () => {
    await page.goto(`${harness.url}/portal/logs/sign-ins?from=2026-01-01T06:00&to=2026-01-02T18:00`);
    const ticks = await page.locator("[data-chart] svg text.tick").allTextContents();
    assert.equal(ticks[0], "01-01 06:00");
    assert.ok(
      ticks.some((t) => t.startsWith("01-02 ")),
      ticks.join(" | "),
    );
    assert.ok(ticks.length >= 6 && ticks.length <= 8, ticks.join(" | "));
    assert.equal(new Set(ticks).size, ticks.length, ticks.join(" | "));
  });

  it("exports the filtered range as CSV and JSON", async () => {
    const base = `${harness.url}/portal/logs/sign-ins?result=`;
    const csv = await page.request.get(`${base}&format=csv`);
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()["content-type"] ?? "", /^text\/csv/);
    assert.match(csv.headers()["content-disposition"] ?? "", /^attachment; filename="hostpass-sign-ins-/);
    const lines = (await csv.text()).trim().split("\r\n");

    assert.equal(
      lines[0],
      "createdDateTime,userPrincipalName,userId,appId,resourceId,ipAddress,result,failureReason,mfaMethod,correlationId",
    );
    assert.ok(lines.length >= 3, "the failure and the successful sign-in");
    assert.ok(lines.some((l) => /,failure,bad_credentials,/.test(l)));
    const mine = await page.request.get(`${base}&principal=${encodeURIComponent(ADMIN_UPN)}&format=csv`);
    const mineRows = (await mine.text()).trim().split("\r\n").slice(1);
    assert.ok(
      mineRows.length >= 1 && mineRows.every((l) => l.includes(",success,")),
      "by user: a failed password names no account",
    );
    const json = (await (await page.request.get(`${base}&format=json`)).json()) as { result: string }[];
    assert.equal(json.length, lines.length - 1);
    assert.ok(json.some((r) => r.result === "failure"));
  });

  it("filters the activity log by machine and shows the machine's login chart", async () => {
    await page.goto(`${harness.url}/portal/logs/activity?target=${encodeURIComponent(machineId)}`);
    const text = (await page.textContent("main .table-wrap table")) ?? "";
    assert.match(text, /Host\/login/);
    await checkPage(page, "logs-activity");
    await page.goto(`${harness.url}/portal/resource${machineId}`);
    const label = (await page.getAttribute("section[aria-labelledby=activity] svg", "aria-label")) ?? "";
    assert.match(label, /Logins to logVM, last 7 days: 3 in all, 1 failed/);
  });
});
