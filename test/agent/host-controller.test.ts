/**
 * The agent's decisions over time, with a pinned clock: the grace rule when the service is
 * unreachable (sudo first, then every directory login, back on contact), an identity the service
 * refuses (fail closed at once), extension disable, and a restart that resumes from disk.
 */
import assert from "node:assert/strict";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { openAgentStore } from "../../src/agent/agent-store.ts";
import { HostController } from "../../src/agent/host-controller.ts";
import { systemTools } from "../../src/agent/lib/system-tools.ts";
import type { AgentReport } from "../../src/shared/host-protocol.ts";
import { parsePublicKey } from "../../src/ssh/index.ts";
import { removeDir } from "../helpers/openssh.ts";
import { hostState, krlBytes, login } from "./helpers/host-state-fixture.ts";
import { hostKeyPub, makeScratchHost, type ScratchHost } from "./helpers/scratch-host.ts";

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

describe("host controller: grace rule, refused identity, disable, restart", () => {
  let host: ScratchHost;
  let now = T0;
  let reports: AgentReport[] = [];
  const alice = login("alice@contoso.com", "admin");
  const bob = login("bob@contoso.com", "user");
  const krl = krlBytes();
  const make = async () => {
    const c = new HostController({
      paths: host.paths,
      tools: systemTools({ reload: "none" }),
      store: await openAgentStore(host.paths),
      clock: () => now,
      log: () => undefined,
      report: (r) => reports.push(r),
      hostKeys: async () => [parsePublicKey(await hostKeyPub(host))],
      fetchKrl: async () => krl,
    });
    await c.load();
    return c;
  };
  const sudoers = () => readFile(host.paths.sudoersFile, "utf8");
  const principals = () => readdir(host.paths.principalsDir);
  const graceReports = () =>
    reports.filter((r) => r.type === "grace").map((r) => (r as { stage: string }).stage);

  before(async () => {
    host = await makeScratchHost();
  });
  after(() => removeDir(host.root));

  it("applies a snapshot and reports the extension and the version", async () => {
    const c = await make();
    c.contact();
    c.snapshot(hostState({ version: 10, logins: [alice, bob] }, krl));
    await c.apply();
    assert.equal(c.lastError, undefined);
    assert.match(await sudoers(), new RegExp(`^#${alice.uid} `, "m"));
    assert.deepEqual((await principals()).sort(), ["alice@contoso.com", "bob@contoso.com"]);
    assert.deepEqual(
      reports.map((r) => r.type),
      ["extension", "applied"],
    );
    assert.equal((reports[0] as { provisioningState: string }).provisioningState, "Succeeded");
  });

  it("without contact: sudo goes after adminSeconds, every login after allSeconds, and comes back on contact", async () => {
    reports = [];
    const c = await make(); // a restarted agent: state and last contact from disk
    now = T0 + 3599_000;
    c.tick();
    await c.apply();
    assert.match(await sudoers(), new RegExp(`^#${alice.uid} `, "m"), "still within the grace period");

    now = T0 + 3600_000;
    assert.equal(c.tick(), T0 + 86_400_000, "the next change is when every login goes");
    await c.apply();
    assert.doesNotMatch(await sudoers(), /^#\d+ /m);
    assert.equal((await principals()).length, 2, "logins stay while only admin rights are dropped");

    now = T0 + 86_400_000;
    c.tick();
    await c.apply();
    assert.deepEqual(await principals(), []);
    assert.equal(await readFile(host.paths.extrausersPasswd, "utf8"), "");

    c.contact();
    await c.apply();
    assert.deepEqual((await principals()).sort(), ["alice@contoso.com", "bob@contoso.com"]);
    assert.match(await sudoers(), new RegExp(`^#${alice.uid} `, "m"));
    assert.deepEqual(graceReports(), ["adminDropped", "allDropped", "restored"]);
  });

  it("a refused identity removes every directory login at once and reports exit 22", async () => {
    reports = [];
    const c = await make();
    c.identityRefused("identity disabled");
    await c.apply();
    assert.deepEqual(await principals(), []);
    const ext = reports.find((r) => r.type === "extension") as {
      provisioningState: string;
      exitCode?: number;
    };
    assert.deepEqual([ext.provisioningState, ext.exitCode], ["Failed", 22]);
    c.contact();
    await c.apply();
    assert.equal((await principals()).length, 2);
  });

  it("remembers a removed user's uid so its sessions can still be ended", async () => {
    const c = await make();
    c.contact();
    assert.equal(c.patch({ version: 11, removeLogins: [bob.objectId] }), true);
    await c.apply();
    assert.deepEqual(await principals(), ["alice@contoso.com"]);
    assert.equal(c.knownUids().get("bob@contoso.com"), bob.uid);
    now += 25 * 3600_000;
    c.contact();
    c.patch({ version: 12, upsertLogins: [login("carol@contoso.com")] });
    assert.equal(c.knownUids().has("bob@contoso.com"), false);
  });

  it("a snapshot (a reconnect, the extension set again) gets the extension's state reported again", async () => {
    reports = [];
    const c = await make();
    c.contact();
    c.snapshot(hostState({ version: 12, logins: [alice] }, krl));
    await c.apply();
    assert.deepEqual(
      reports
        .filter((r) => r.type === "extension")
        .map((r) => (r as { provisioningState: string }).provisioningState),
      ["Succeeded"],
    );
    c.patch({ version: 13, upsertLogins: [] });
    reports = [];
    await c.apply();
    assert.equal(reports.filter((r) => r.type === "extension").length, 0, "no change, not asked: no report");
  });

  it("a failed apply is reported (legacy extension: exit 23) and tried again later, not on every tick", async () => {
    reports = [];
    const c = await make();
    const pam = `${host.root}/etc/pam.d/common-auth`;
    await mkdir(`${host.root}/etc/pam.d`, { recursive: true });
    await writeFile(pam, "auth required pam_aad.so\n");
    c.contact();
    c.snapshot(hostState({ version: 14, logins: [alice] }, krl));
    await c.apply();
    const failed = reports.find((r) => r.type === "extension") as {
      provisioningState: string;
      exitCode?: number;
    };
    assert.deepEqual([failed.provisioningState, failed.exitCode], ["Failed", 23]);
    await rm(pam);
    now += 1000;
    c.tick();
    await c.apply();
    assert.ok(c.lastError, "not retried within 30 s");
    now += 30_000;
    c.tick();
    await c.apply();
    assert.equal(c.lastError, undefined);
    assert.equal(
      (reports.filter((r) => r.type === "extension").at(-1) as { provisioningState: string })
        .provisioningState,
      "Succeeded",
    );
  });

  it("extension disable restores the host and reports it", async () => {
    reports = [];
    const c = await make();
    c.patch({ version: 15, loginEnabled: false });
    await c.apply();
    assert.equal(c.lastError, undefined);
    await assert.rejects(readdir(host.paths.principalsDir), { code: "ENOENT" });
    const ext = reports.find((r) => r.type === "extension") as { provisioningState: string; message: string };
    assert.deepEqual([ext.provisioningState, ext.message], ["Succeeded", "disabled; host files restored"]);
    assert.equal(c.patch({ version: 15, loginEnabled: true }), true, "an old version is ignored");
    assert.equal(c.desired?.loginEnabled, false);
  });
});
