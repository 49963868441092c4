/**
 * The agent's daemon against a stand-in for the service's host-channel endpoints
 * (helpers/stand-in-service.ts, until `hostpass server` serves them): join, the stream (snapshot,
 * patches, resume after a dropped connection from the last version), KRL, reports from sshd's log,
 * and a refused identity. Files go to a scratch root.
 */
import assert from "node:assert/strict";
import { appendFile, lstat, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadAgentConfig } from "../../src/agent/agent-config.ts";
import { openAgentStore } from "../../src/agent/agent-store.ts";
import { runDaemon } from "../../src/agent/daemon.ts";
import { HostController } from "../../src/agent/host-controller.ts";
import { joinService } from "../../src/agent/join.ts";
import { systemTools } from "../../src/agent/lib/system-tools.ts";
import { fileLogSource } from "../../src/agent/log-sources.ts";
import { ReportQueue } from "../../src/agent/report-queue.ts";
import { serviceClient } from "../../src/agent/service-client.ts";
import { systemClock } from "../../src/shared/clock.ts";
import { parsePublicKey } from "../../src/ssh/index.ts";
import { makeTempDir, removeDir } from "../helpers/openssh.ts";
import { hostState, krlBytes, login, sha256Hex, TENANT } from "./helpers/host-state-fixture.ts";
import { hostKeyPub, makeScratchHost, type ScratchHost } from "./helpers/scratch-host.ts";
import { JOIN_CODE, NO_IDENTITY_CODE, type StandIn, startStandIn } from "./helpers/stand-in-service.ts";

describe("agent daemon with the host channel (stand-in service)", () => {
  let host: ScratchHost;
  let dir: string;
  let service: StandIn;
  let stop: AbortController;
  let running: Promise<void>;
  const sshdLog = () => join(dir, "sshd.log");
  const alice = login("alice@contoso.com", "admin");
  const bob = login("bob@contoso.com", "user");
  const krl1 = krlBytes({ version: 1n });
  const krl2 = krlBytes({ version: 2n, certificates: [{ caKey: null, serials: [99n] }] });
  const principals = () =>
    readdir(host.paths.principalsDir).then((n) => n.filter((f) => !f.startsWith(".")).sort());

  before(async () => {
    host = await makeScratchHost();
    dir = await makeTempDir("hostpass-agent-daemon-");
    service = await startStandIn(dir);
    await writeFile(join(dir, "ca.pem"), service.caPem);
    await writeFile(sshdLog(), "");
  });
  after(async () => {
    stop?.abort();
    await running;
    await service?.close();
    await removeDir(dir);
    await removeDir(host.root);
  });

  it("join: makes the agent's key (0600, the only secret), registers it, keeps the URL and the CA", async () => {
    await assert.rejects(
      joinService(
        host.paths,
        { server: service.url, code: "wrong-code-000000", caFile: join(dir, "ca.pem") },
        systemClock,
      ),
      { code: "ERR_AGENT_JOIN" },
    );
    await assert.rejects(
      joinService(
        host.paths,
        { server: service.url, code: NO_IDENTITY_CODE, caFile: join(dir, "ca.pem") },
        systemClock,
      ),
      { code: "ERR_EXTENSION_NO_MANAGED_IDENTITY" },
      "the seed's exit 22",
    );
    await assert.rejects(
      joinService(host.paths, { server: "http://127.0.0.1:1", code: JOIN_CODE }, systemClock),
      {
        code: "ERR_AGENT_JOIN",
      },
    );
    const config = await joinService(
      host.paths,
      { server: service.url, code: JOIN_CODE, caFile: join(dir, "ca.pem") },
      systemClock,
    );
    assert.equal(config.server, service.url);
    const key = await lstat(join(host.paths.stateDir, "agent-key.pem"));
    assert.equal(key.mode & 0o777, 0o600);
    assert.equal((await lstat(host.paths.stateDir)).mode & 0o777, 0o700);
    await assert.rejects(
      joinService(
        host.paths,
        { server: service.url, code: JOIN_CODE, caFile: join(dir, "ca.pem") },
        systemClock,
      ),
      { code: "ERR_AGENT_LOCAL_STATE" },
      "joining twice needs --force",
    );
    // A forced join the service refuses leaves the working join as it was: key, CA, configuration.
    const stateFiles = async () => {
      const names = (await readdir(host.paths.stateDir)).sort();
      const files = await Promise.all(names.map((n) => readFile(join(host.paths.stateDir, n), "utf8")));
      return names.map((name, i) => [name, files[i]]);
    };
    const joined = await stateFiles();
    assert.deepEqual(
      joined.map(([name]) => name),
      ["agent-key.pem", "config.json", "server-ca.pem"],
    );
    await assert.rejects(
      joinService(
        host.paths,
        { server: service.url, code: "wrong-code-000000", caFile: join(dir, "ca.pem"), force: true },
        systemClock,
      ),
      { code: "ERR_AGENT_JOIN" },
    );
    assert.deepEqual(await stateFiles(), joined, "the old key still works; nothing staged is left");
  });

  it("streams: the snapshot is applied with its KRL; a removal reaches the files at once", async () => {
    service.setKrl(krl1);
    service.setSnapshot({ type: "snapshot", state: hostState({ version: 5, logins: [alice, bob] }, krl1) });
    const store = await openAgentStore(host.paths);
    const config = await loadAgentConfig(store);
    const client = serviceClient({
      config,
      privateKeyPem: await readFile(join(host.paths.stateDir, "agent-key.pem"), "utf8"),
      caFile: join(host.paths.stateDir, "server-ca.pem"),
      caPem: service.caPem,
      clock: systemClock,
      refusedQuietMs: 200,
    });
    const log = () => undefined;
    const reports = new ReportQueue(store, log);
    const controller = new HostController({
      paths: host.paths,
      tools: systemTools({ reload: "none" }),
      store,
      clock: systemClock,
      log,
      report: (r) => reports.push(r),
      hostKeys: async () => [parsePublicKey(await hostKeyPub(host))],
      fetchKrl: () => client.fetchKrl(),
    });
    await controller.load();
    stop = new AbortController();
    running = runDaemon(
      {
        paths: host.paths,
        controller,
        client,
        clock: systemClock,
        log,
        reports,
        store,
        logSource: fileLogSource(sshdLog(), systemClock, 50),
        backoff: { minMs: 50, maxMs: 200, refusedMs: 200 },
        reportEveryMs: 50,
        tickEveryMs: 200,
      },
      stop.signal,
    );
    await service.waitFor(async () => (await principals().catch(() => [])).length === 2 || undefined);
    assert.deepEqual(await principals(), ["alice@contoso.com", "bob@contoso.com"]);
    assert.deepEqual([...(await readFile(host.paths.revokedKeys))], [...krl1]);

    const started = performance.now();
    service.push({ type: "patch", patch: { version: 6, removeLogins: [bob.objectId] } });
    for (;;) {
      if ((await principals()).length === 1) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const ms = performance.now() - started;
    assert.ok(ms < 5000, `revocation took ${ms} ms`);
    // the principals file goes first (no certificate login from then on), NSS right after
    await service.waitFor(
      async () => !(await readFile(host.paths.extrausersPasswd, "utf8")).includes("bob@") || undefined,
    );
  });

  it("resumes after a dropped stream from the last applied version, and fetches a changed KRL", async () => {
    service.dropStreams();
    await service.waitFor(() => service.streamRequests.length >= 2 || undefined);
    assert.equal(service.streamRequests.at(-1), 6);
    service.setKrl(krl2);
    service.push({ type: "patch", patch: { version: 7, krlSha256: sha256Hex(krl2) } });
    await service.waitFor(
      async () => sha256Hex(await readFile(host.paths.revokedKeys)) === sha256Hex(krl2) || undefined,
    );
  });

  it("reports every login attempt sshd logs", async () => {
    await appendFile(
      sshdLog(),
      [
        'Connection from 10.0.0.7 port 50000 on 10.0.0.1 port 22 rdomain ""',
        `Accepted publickey for alice@contoso.com from 10.0.0.7 port 50000 ssh2: ED25519-CERT SHA256:abc ID ${alice.objectId}@${TENANT} (serial 77) CA ED25519 SHA256:def`,
        "",
      ].join("\n"),
    );
    const report = await service.waitFor(() => service.reports.find((r) => r.type === "login"));
    assert.deepEqual(report, {
      type: "login",
      at: (report as { at: number }).at,
      linuxName: "alice@contoso.com",
      result: "success",
      sourceAddress: "10.0.0.7",
      keyId: `${alice.objectId}@${TENANT}`,
      certificateSerial: "77",
      level: "admin",
    });
    assert.ok(service.reports.some((r) => r.type === "extension" && r.provisioningState === "Succeeded"));
    assert.ok(service.reports.some((r) => r.type === "applied" && r.version === 6));
  });

  it("a disabled identity: every directory login is removed at once", async () => {
    service.setIdentityEnabled(false);
    const readStatus = async () =>
      JSON.parse(await readFile(join(host.paths.stateDir, "status.json"), "utf8"));
    const status = await service.waitFor(async () => {
      const s = await readStatus();
      return s.identityRefused && (await principals()).length === 0 ? s : undefined;
    });
    assert.deepEqual([status.extension.provisioningState, status.extension.exitCode], ["Failed", 22]);
    service.setIdentityEnabled(true);
    await service.waitFor(async () => (await principals()).length === 1 || undefined);
  });
  it("(last: it replaces the agent key the stand-in knows) join with --tls-fingerprint pins the service's self-signed certificate; a wrong one is refused", async () => {
    const other = await makeScratchHost();
    try {
      const wrong = `${"AB:".repeat(31)}AB`;
      await assert.rejects(
        joinService(
          other.paths,
          { server: service.url, code: JOIN_CODE, tlsFingerprint: wrong },
          systemClock,
        ),
        { code: "ERR_AGENT_JOIN", message: /does not have the fingerprint/ },
      );
      await joinService(
        other.paths,
        { server: service.url, code: JOIN_CODE, tlsFingerprint: service.fingerprint },
        systemClock,
      );
      const pinned = await readFile(join(other.paths.stateDir, "server-ca.pem"), "utf8");
      assert.equal(pinned.trim(), service.caPem.trim());
    } finally {
      await removeDir(other.root);
    }
  });
});
