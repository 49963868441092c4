/**
 * A machine whose host agent has not joined: its page offers the one-line join command (a fresh
 * one-time code from the API's `joinCode`), shown once with a copy button, in Chromium on a real
 * server without a local provider. The code in it is a real one: it is bound to this machine.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { createResourceGroup, createVirtualMachine } from "../../src/resources/index.ts";
import { submit } from "../portal/helpers/chromium.ts";
import {
  checkPage,
  type Harness,
  noticeOn,
  openAdminPortal,
  type PortalBrowser,
  startHarness,
} from "./harness.ts";

describe("portal: the join command of a machine whose agent has not joined", () => {
  let harness: Harness;
  let portal: PortalBrowser;
  let page: Page;
  let machineId: string;
  before(async () => {
    harness = await startHarness();
    const tenantId = harness.running.bootstrap.tenant.id;
    const subscriptionId = harness.running.bootstrap.subscriptionId;
    const resources = harness.running.store.resources;
    await createResourceGroup(resources, { tenantId, subscriptionId, name: "hosts", location: "local" });
    machineId = (
      await createVirtualMachine(resources, {
        tenantId,
        subscriptionId,
        resourceGroup: "hosts",
        name: "farHost",
        image: "debian-12",
        adminUsername: "localadmin",
      })
    ).id;
    portal = await openAdminPortal(harness);
    page = portal.page;
  });
  after(async () => {
    await portal?.close();
    await harness?.close();
  });

  it("makes a join command on request, shows it once with a copy button, a new code each time", async () => {
    await page.goto(`${harness.url}/portal/resource${machineId}`);
    assert.match((await page.textContent("section[aria-labelledby=join]")) ?? "", /hostpass-agent/);
    assert.equal(await page.locator("#shown-once").count(), 0, "no code is made just by looking");
    await submit(page, "form[action*='/join-code/'] button");
    assert.match(await noticeOn(page), /A join code for farHost was made: it works once/);
    const command = ((await page.textContent("#shown-once")) ?? "").trim();
    const publicUrl = harness.running.publicUrl;
    assert.match(
      command,
      new RegExp(`^hostpass-agent join --server ${publicUrl.replace(/[.]/g, "\\.")} --code \\S+`),
    );
    assert.match(command, /--tls-fingerprint \S+/, "the self-signed certificate is pinned");
    assert.equal(await page.locator("button[data-copy=shown-once]").count(), 1);
    await checkPage(page, "machine-join");

    await page.reload();
    assert.equal(await page.locator("#shown-once").count(), 0, "shown once");
    await submit(page, "form[action*='/join-code/'] button");
    const second = ((await page.textContent("#shown-once")) ?? "").trim();
    const codeOf = (text: string) => /--code (\S+)/.exec(text)?.[1];
    assert.ok(codeOf(second) && codeOf(second) !== codeOf(command), "each request makes a new code");
    const events = await harness.running.store.audit.query(
      { tenantId: harness.running.bootstrap.tenant.id, target: machineId },
      { limit: 20 },
    );
    assert.equal(
      events.items.filter((e) => e.action === "Compute/virtualMachines/write" && e.result === "success")
        .length >= 2,
      true,
      "both are in the activity log",
    );
  });
});
