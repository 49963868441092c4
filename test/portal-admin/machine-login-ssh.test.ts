/**
 * The seed's portal steps through to the login (issue 12): on `hostpass server --local-machines`,
 * the administrator creates a machine in the portal with "login with directory identity" (a real
 * local machine starts, its host agent joins the service) and gives a user Virtual Machine
 * Administrator Login on the machine's IAM page; then that user signs in with the CLI and
 * `hostpass ssh vm -n myVM -g LinuxVMs -- sudo -n true` runs on the machine. A user without the
 * role is refused by the machine itself.
 *
 * The portal's Chromium runs in its own network namespace (isolated-chromium.ts) and reaches the
 * service at its loopback URL: creating the machine adds a veth pair on this host in the middle of
 * the form's request, which an ordinary Chromium answers with ERR_NETWORK_CHANGED. The CLI's
 * sign-in needs a Chromium that reaches the CLI's own loopback callback, so it uses the CLI
 * helper's ordinary one (cli-server.ts), after the machine exists.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { createUser } from "../../src/directory/index.ts";
import { machineAgentLog } from "../../src/localvm/index.ts";
import { type CliServer, startCliServer } from "../helpers/cli-server.ts";
import { submit } from "../portal/helpers/chromium.ts";
import {
  ADMIN_PASSWORD,
  checkPage,
  type Harness,
  harnessFor,
  noticeOn,
  openAdminPortal,
  type PortalBrowser,
} from "./harness.ts";

const ALICE = { upn: "alice@hostpass.local", password: "alice's password for the portal ssh test" };
const BOB = { upn: "bob@hostpass.local", password: "bob's password for the portal ssh test" };

describe("portal: a machine made in the portal, its role granted on its IAM page; then hostpass ssh vm on it", () => {
  let server: CliServer;
  let harness: Harness;
  let portal: PortalBrowser;
  let page: Page;
  let machineId = "";
  let address = "";
  before(async () => {
    server = await startCliServer({ localMachines: {}, adminPassword: ADMIN_PASSWORD });
    const tenantId = server.running.bootstrap.tenant.id;
    for (const person of [ALICE, BOB]) {
      await createUser(server.running.store.directory, {
        tenantId,
        upn: person.upn,
        displayName: person.upn.split("@")[0] ?? person.upn,
        password: person.password,
      });
    }
    harness = await harnessFor(server.running);
    portal = await openAdminPortal(harness);
    page = portal.page;
  });
  after(async () => {
    await portal?.close();
    await harness?.close();
    await server?.close();
  });

  /** `hostpass ssh vm … -- <command>` as whoever the CLI profile is signed in as now. */
  const sshVm = (target: string[], command: string[]) =>
    server.cli(["ssh", "vm", ...target, "--", "-o", "BatchMode=yes", ...command]);
  /** The machine's agent log, for a failure's message. */
  const agentLog = async () => {
    const machine = await server.running.localMachines?.provider.get(machineId);
    return machine ? await machineAgentLog(machine, 30) : "(no such local machine)";
  };

  it("creates myVM in the portal with login with directory identity: a local machine whose agent reports Succeeded", async () => {
    await page.goto(
      `${harness.url}/portal/resource/subscriptions/${server.running.bootstrap.subscriptionId}`,
    );
    await page.fill("#rg-name", "LinuxVMs");
    await submit(page, "form[action*='/create-resource-group/'] button");
    assert.match(await noticeOn(page), /Resource group LinuxVMs created/);
    await Promise.all([page.waitForNavigation(), page.click("a:text('Create a virtual machine')")]);
    assert.equal(await page.isChecked("input[name=login]"), true);
    await page.fill("#vm-name", "myVM");
    // No address: the local provider gives the machine one on its private network.
    await submit(page, "form[action*='/create-machine/'] button[type=submit]");
    assert.match(page.url(), /\/virtualMachines\/myVM$/);
    machineId = decodeURIComponent(new URL(page.url()).pathname.replace(/^\/portal\/resource/, ""));
    const connect = ((await page.textContent("#connect-ip")) ?? "").trim();
    address = /--ip (\S+)$/.exec(connect)?.[1] ?? "";
    assert.match(address, /^10\.213\.\d+\.\d+$/, connect);
    // The extension is Creating until the machine's own agent reports it: follow the page.
    const state = () => page.textContent("section[aria-labelledby=ext] td .badge").then((t) => t?.trim());
    const started = performance.now();
    while ((await state()) !== "Succeeded") {
      assert.ok(
        performance.now() - started < 60_000,
        `still ${await state()} after 60 s\n${await agentLog()}`,
      );
      await new Promise((r) => setTimeout(r, 500));
      await page.reload();
    }
    await checkPage(page, "local-machine");
  });

  it("assigns Virtual Machine Administrator Login to alice on the machine's IAM page", async () => {
    await Promise.all([page.waitForNavigation(), page.click("main a:text('Access control (IAM)')")]);
    await page.check("input[name=role][value='Virtual Machine Administrator Login']");
    await page.fill("#assignee-search", "alice");
    await submit(page, "form[method=get] button:text('Find')");
    assert.equal(await page.isChecked("input[name=principal]"), true);
    await submit(page, "form[action*='/iam-assign/'] button[type=submit]");
    assert.match(await noticeOn(page), /Virtual Machine Administrator Login assigned/);
    assert.match((await page.textContent("main table")) ?? "", /Virtual Machine Administrator Login\s*alice/);
  });

  it("alice signs in with the CLI: hostpass ssh vm gives her a shell as herself, and sudo", async () => {
    const login = await server.signIn(ALICE.upn, ALICE.password);
    assert.equal(login.code, 0, login.err);
    const target = ["-n", "myVM", "-g", "LinuxVMs"];
    const sudo = await sshVm(target, ["sudo", "-n", "true"]);
    assert.equal(sudo.code, 0, `${sudo.err}\n${await agentLog()}`);
    const who = await sshVm(target, ["id", "-un"]);
    assert.equal(who.code, 0, who.err);
    assert.equal(who.out.trim(), ALICE.upn);
  });

  it("bob, without the role, is refused: by name by the CLI, by address by the machine", async () => {
    const login = await server.signIn(BOB.upn, BOB.password);
    assert.equal(login.code, 0, login.err);
    const byName = await sshVm(["-n", "myVM", "-g", "LinuxVMs"], ["sudo", "-n", "true"]);
    assert.notEqual(byName.code, 0, byName.out);
    const byAddress = await sshVm(["--ip", address], ["id", "-un"]);
    assert.notEqual(byAddress.code, 0, byAddress.out);
    assert.match(byAddress.err, /Permission denied/);
    assert.doesNotMatch(byAddress.out, /bob/);
  });
});
