/**
 * What the portal refuses, in Chromium on a real server: a user without rights sees no action
 * that would fail (only sign-out posts anything), and every form of the administration pages is
 * refused without this browser's CSRF token, from another origin, and after the session expired
 * (the portal's clock pinned and moved past the session's lifetime), with nothing changed. The
 * CSP header and the absence of inline script are checked on every page by the harness.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import {
  addGroupMember,
  createGroup,
  createUser,
  findUserByUpn,
  registerDevice,
} from "../../src/directory/index.ts";
import { createResourceGroup, createVirtualMachine, getMachine } from "../../src/resources/index.ts";
import {
  ADMIN_PASSWORD,
  ADMIN_UPN,
  checkPage,
  type Harness,
  openPortal,
  signIn,
  startHarness,
} from "./harness.ts";

const HOUR = 3_600_000;

interface FormSeen {
  readonly page: string;
  readonly action: string;
  readonly fields: Record<string, string>;
}

/** Every POST form on the page, with its hidden fields (the CSRF token among them). */
async function formsOn(page: Page): Promise<FormSeen[]> {
  const url = page.url();
  const forms = await page.$$eval("form[method=post]", (els) =>
    els.map((f) => ({
      action: f.getAttribute("action") ?? "",
      fields: Object.fromEntries(
        [...f.querySelectorAll("input[type=hidden]")].map((i) => [
          i.getAttribute("name") ?? "",
          i.getAttribute("value") ?? "",
        ]),
      ),
    })),
  );
  return forms.map((f) => ({ page: url, ...f, action: new URL(f.action, url).href }));
}

describe("portal: rights, CSRF, content security and session expiry on every form", () => {
  let harness: Harness;
  let offset = 0;
  let rg: string;
  let vm: string;
  let tenantId: string;
  before(async () => {
    harness = await startHarness({ clock: () => Date.now() + offset });
    tenantId = harness.running.bootstrap.tenant.id;
    const { directory, resources } = harness.running.store;
    const subscriptionId = harness.running.bootstrap.subscriptionId;
    rg = (
      await createResourceGroup(resources, { tenantId, subscriptionId, name: "guarded", location: "local" })
    ).id;
    vm = (
      await createVirtualMachine(resources, {
        tenantId,
        subscriptionId,
        resourceGroup: "guarded",
        name: "guardedVM",
        image: "debian-12",
        adminUsername: "localadmin",
      })
    ).id;
    const rita = await createUser(directory, {
      tenantId,
      upn: "rita@hostpass.local",
      displayName: "Rita Reader",
      password: "ritas password 123",
    });
    await createUser(directory, {
      tenantId,
      upn: "nora@hostpass.local",
      displayName: "Nora Nobody",
      password: "noras password 123",
    });
    const group = await createGroup(directory, { tenantId, displayName: "Guards" });
    await addGroupMember(directory, { tenantId, groupId: group.id, memberId: rita.id });
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    await registerDevice(directory, {
      tenantId,
      ownerId: rita.id,
      displayName: "rita laptop",
      platform: "linux",
      publicKeyJwk: publicKey.export({ format: "jwk" }) as Record<string, string>,
    });
    // Reader on the resource group for Rita, assigned in the portal by the administrator.
    const admin = await openPortal(harness);
    try {
      await signIn(harness, admin.page, ADMIN_UPN, ADMIN_PASSWORD);
      await admin.page.goto(`${harness.url}/portal/iam${rg}?role=Reader&q=rita`);
      await Promise.all([
        admin.page.waitForNavigation(),
        admin.page.click("form[action*='/iam-assign/'] button[type=submit]"),
      ]);
      assert.match((await admin.page.textContent(".notices")) ?? "", /Reader assigned/);
    } finally {
      await admin.close();
    }
  });
  after(async () => {
    await harness?.close();
  });

  it("a user without any role sees no section and no action beyond signing out", async () => {
    const portal = await openPortal(harness);
    try {
      const { page } = portal;
      await signIn(harness, page, "nora@hostpass.local", "noras password 123");
      const nav = (await page.textContent("nav.sidenav")) ?? "";
      assert.doesNotMatch(nav, /Directory|Logs|Conditional access/);
      assert.match((await page.textContent("main")) ?? "", /no role on any subscription/);
      await checkPage(page, "no-rights-home");
      for (const path of ["/portal/", "/portal/resources"]) {
        await page.goto(`${harness.url}${path}`);
        assert.deepEqual(
          (await formsOn(page)).map((f) => new URL(f.action).pathname),
          ["/portal/signout"],
          path,
        );
      }
      await page.goto(`${harness.url}/portal/directory/users`);
      assert.match(
        (await page.textContent("main .alert.error")) ?? "",
        /not authorized|does not have authorization/i,
      );
    } finally {
      await portal.close();
    }
  });

  it("a Reader on a resource group sees its machines but no action that would be refused", async () => {
    const portal = await openPortal(harness);
    try {
      const { page } = portal;
      await signIn(harness, page, "rita@hostpass.local", "ritas password 123");
      for (const path of [rg, vm]) {
        await page.goto(`${harness.url}/portal/resource${path}`);
        assert.match((await page.textContent("h1")) ?? "", /guarded/);
        assert.deepEqual(
          (await formsOn(page)).map((f) => new URL(f.action).pathname),
          ["/portal/signout"],
          path,
        );
        assert.equal(await page.locator("a:text('Create a virtual machine')").count(), 0);
      }
      await checkPage(page, "reader-machine");
      await page.goto(`${harness.url}/portal/iam${vm}?q=rita`);
      assert.match(
        (await page.textContent("main table")) ?? "",
        /Reader\s*Rita Reader|Reader\s*[0-9a-f-]{36}/,
      );
      assert.deepEqual(
        (await formsOn(page)).map((f) => new URL(f.action).pathname),
        ["/portal/signout"],
      );
      assert.equal(await page.locator("#add").count(), 0, "no add form without the right to assign");
      await checkPage(page, "reader-iam");
    } finally {
      await portal.close();
    }
  });

  it("refuses every administration form without the CSRF token, from another origin, and after the session expired", async () => {
    const portal = await openPortal(harness);
    try {
      const { page } = portal;
      await signIn(harness, page, ADMIN_UPN, ADMIN_PASSWORD);
      const visits = [
        "/portal/",
        `/portal/resource/subscriptions/${harness.running.bootstrap.subscriptionId}`,
        `/portal/create-machine${rg}`,
        `/portal/resource${vm}`,
        `/portal/iam${vm}?q=rita&role=Reader`,
        "/portal/directory/users",
        "/portal/directory/groups",
        "/portal/directory/service-principals",
        "/portal/directory/devices",
        "/portal/conditional-access/policies/new",
        "/portal/conditional-access/locations",
        "/portal/security/password",
      ];
      const forms: FormSeen[] = [];
      for (const path of visits) {
        await page.goto(`${harness.url}${path}`);
        forms.push(...(await formsOn(page)));
      }
      await page.goto(`${harness.url}/portal/directory/users`);
      await Promise.all([page.waitForNavigation(), page.click("main table a:text('Rita Reader')")]);
      forms.push(...(await formsOn(page)));
      await page.goto(`${harness.url}/portal/directory/groups`);
      await Promise.all([page.waitForNavigation(), page.click("main table a:text('Guards')")]);
      forms.push(...(await formsOn(page)));
      const actions = [...new Set(forms.map((f) => new URL(f.action).pathname))].filter(
        (p) => p !== "/portal/signout",
      );
      assert.ok(actions.length >= 15, `forms seen: ${actions.join(" ")}`);
      const post = (f: FormSeen, fields: Record<string, string>, headers: Record<string, string> = {}) =>
        page.request.post(f.action, { form: fields, headers, maxRedirects: 0 });
      const unique = actions.map((a) => forms.find((f) => new URL(f.action).pathname === a) as FormSeen);

      for (const f of unique) {
        const { csrf: _, ...rest } = f.fields;
        const without = await post(f, rest);
        assert.equal(without.status(), 403, `no token: ${f.action}`);
        assert.match(await without.text(), /did not come from it/);
        const forged = await post(f, { ...rest, csrf: "A".repeat(43) });
        assert.equal(forged.status(), 403, `forged token: ${f.action}`);
        const foreign = await post(f, f.fields, { origin: "https://evil.example" });
        assert.equal(foreign.status(), 403, `other origin: ${f.action}`);
      }

      offset = 9 * HOUR; // past the portal session's 8 hours
      for (const f of unique) {
        const late = await post(f, f.fields);
        assert.equal(late.status(), 401, `expired session: ${f.action}`);
        const text = await late.text();
        assert.match(text, /session has ended|Sign in again/, f.action);
      }
      await page.goto(`${harness.url}/portal/`);
      assert.match(page.url(), /\/portal\/interaction\//, "an expired session signs in again");
    } finally {
      offset = 0;
      await portal.close();
    }
    const machine = await getMachine(harness.running.store.resources, vm);
    assert.equal(machine.identityPrincipalId, undefined, "no refused form changed the machine");
    const rita = await findUserByUpn(harness.running.store.directory, tenantId, "rita@hostpass.local");
    assert.equal(rita?.enabled, true, "no refused form disabled a user");
  });
});
