/**
 * The agent as it runs on a host: joined, `hostpass-agent run` supervised inside a local machine
 * (src/localvm), connected to a stand-in for the service's host-channel endpoints
 * (helpers/stand-in-service.ts, on the machine network's gateway address, until `hostpass server`
 * serves them), reading the machine's real sshd log. Real ssh logins from the host.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type LocalMachine, writeMachineService } from "../../src/localvm/index.ts";
import type { HostLogin } from "../../src/shared/host-protocol.ts";
import { formatPublicKey } from "../../src/ssh/index.ts";
import { type MachineLab, openMachineLab, until } from "../helpers/local-machines.ts";
import { makeTempDir, removeDir, sshLogin } from "../helpers/openssh.ts";
import { testKeyPair, testSigner } from "../helpers/ssh-fixtures.ts";
import { hostState, krlBytes, objectIdOf, TENANT } from "./helpers/host-state-fixture.ts";
import { JOIN_CODE, type StandIn, startStandIn } from "./helpers/stand-in-service.ts";
import { type TestUser, testUser } from "./helpers/user-certs.ts";

const REPO = join(import.meta.dirname, "../..");
const ca = testSigner("ssh-ed25519", "daemon-ca");
const caKeys = [
  {
    id: "ca-1",
    status: "active" as const,
    publicKey: formatPublicKey(testKeyPair("ssh-ed25519", "daemon-ca").publicKey),
  },
];

describe("the agent daemon on a local machine, connected to the host channel", () => {
  let lab: MachineLab;
  let machine: LocalMachine;
  let dir: string;
  let share: string;
  let service: StandIn;
  let alice: TestUser;
  let bob: TestUser;
  const krl = krlBytes();
  const entry = (u: TestUser, level: "user" | "admin", uid: number): HostLogin => ({
    objectId: u.objectId,
    kind: "user",
    linuxName: u.name,
    uid,
    level,
    displayName: u.name,
  });
  const login = async (u: TestUser, command = "true") =>
    sshLogin({
      host: machine.address,
      port: 22,
      user: u.name,
      identityFile: u.key,
      certificateFile: await u.certificate(ca),
      command,
    });

  before(async () => {
    dir = await makeTempDir("hostpass-agent-daemon-vm-");
    share = await makeTempDir("hostpass-agent-share-");
    lab = await openMachineLab();
    service = await startStandIn(dir, lab.network.gateway);
    await writeFile(join(share, "ca.pem"), service.caPem);
    alice = await testUser(dir, "alice@contoso.com", objectIdOf(1));
    bob = await testUser(dir, "bob@contoso.com", objectIdOf(2));
    service.setKrl(krl);
    service.setSnapshot({
      type: "snapshot",
      state: hostState(
        {
          version: 1,
          userCaKeys: caKeys,
          logins: [entry(alice, "admin", 100_001), entry(bob, "user", 100_002)],
        },
        krl,
      ),
    });
    machine = await lab.start({
      hostname: "vm-daemon",
      binds: [
        { source: REPO, target: "/opt/hostpass", readOnly: true },
        { source: share, target: "/opt/hostpass-test", readOnly: true },
      ],
    });
    const joined = await machine.exec(
      [
        "/opt/hostpass/bin/hostpass-agent",
        "join",

        "--server",
        service.url,
        "--code",
        JOIN_CODE,
        "--ca-file",
        "/opt/hostpass-test/ca.pem",
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(joined.code, 0, joined.stderr);
    await writeMachineService(machine.dir, {
      name: "hostpass-agent",
      argv: [
        "/opt/hostpass/bin/hostpass-agent",
        "run",

        "--sshd-log",
        "file:/var/log/localvm-sshd.log",
      ],
    });
    await machine.startService("hostpass-agent");
  });
  after(async () => {
    if (process.env.AGENT_TEST_DEBUG)
      console.log((await machine.exec(["cat", "/var/log/localvm-hostpass-agent.log"])).stdout.slice(-6000));
    const step = (what: string) =>
      process.env.AGENT_TEST_DEBUG && console.log(new Date().toISOString(), what);
    step("lab.close");
    await lab?.close();
    step("service.close");
    await service?.close();
    step("closed");
    await removeDir(dir);
    await removeDir(share);
  });

  it("applies the service's state: the admin logs in with sudo, and every attempt is reported", async () => {
    await until("alice can log in", async () => (await login(alice)).code === 0, 10_000);
    const r = await login(alice, "sudo -n true && echo SUDO-OK");
    assert.equal(r.stdout.trim(), "SUDO-OK", r.stderr);
    const report = await service.waitFor(() =>
      service.reports.find((x) => x.type === "login" && x.result === "success" && x.linuxName === alice.name),
    );
    assert.equal(report.type === "login" && report.level, "admin");
    assert.equal(report.type === "login" && report.keyId, `${objectIdOf(1)}@${TENANT}`);
    assert.match(report.type === "login" ? (report.certificateSerial ?? "") : "", /^\d+$/);
    assert.equal(report.type === "login" && report.sourceAddress, lab.network.gateway);
  });

  it("a removed login is refused within 5 s while connected, and the refusal is reported", async () => {
    assert.equal((await login(bob)).code, 0);
    const started = performance.now();
    service.push({ type: "patch", patch: { version: 2, removeLogins: [bob.objectId] } });
    await until("bob refused", async () => (await login(bob)).code !== 0, 5000);
    const ms = performance.now() - started;
    assert.ok(ms < 5000, `${ms} ms`);
    const refused = await service.waitFor(() =>
      service.reports.find((x) => x.type === "login" && x.result === "failure" && x.linuxName === bob.name),
    );
    assert.ok(refused.type === "login" && refused.reason);
  });

  it("terminateSessions ends a revoked user's live session", async () => {
    const session = spawn(
      "ssh",
      [
        "-n",
        "-F",
        "/dev/null",
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "LogLevel=ERROR",
        "-i",
        alice.key,
        "-o",
        `CertificateFile=${await alice.certificate(ca)}`,
        `${alice.name}@${machine.address}`,
        "echo IN; sleep 120",
      ],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    let out = "";
    session.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    const ended = new Promise<number | null>((resolve) => session.once("exit", resolve));
    await until("session open", async () => out.includes("IN"), 20_000);
    const started = performance.now();
    service.push({ type: "patch", patch: { version: 3, removeLogins: [alice.objectId] } });
    service.push({ type: "terminateSessions", linuxNames: [alice.name, "localadmin", "root"] });
    const code = await Promise.race([
      ended,
      new Promise((r) => setTimeout(() => r("still running"), 15_000)),
    ]);
    if (code === "still running") session.kill();
    assert.notEqual(code, "still running");
    assert.ok(performance.now() - started < 15_000);
    assert.notEqual((await login(alice)).code, 0);
  });

  it("a disabled identity: the agent removes every directory login at once", async () => {
    service.push({ type: "patch", patch: { version: 4, upsertLogins: [entry(alice, "user", 100_001)] } });
    await until("alice back", async () => (await login(alice)).code === 0, 10_000);
    service.setIdentityEnabled(false);
    const ms = await until("alice refused", async () => (await login(alice)).code !== 0, 10_000);
    assert.ok(ms < 5000, `${ms} ms`);
  });
});
