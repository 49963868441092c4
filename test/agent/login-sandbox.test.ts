/**
 * Real logins through what the agent writes: a local machine (src/localvm: its own /etc, /home,
 * NSS, PAM, sudo and sshd on its own address), the agent run inside it (`hostpass-agent apply`,
 * the state as the service would send it), and real `ssh` from the host with certificates from
 * a test CA. Never the machine's own /etc or sshd.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { LocalMachine } from "../../src/localvm/index.ts";
import type { HostLogin, HostState } from "../../src/shared/host-protocol.ts";
import {
  formatCertificate,
  formatPublicKey,
  parsePublicKey,
  renderCertAuthorityLine,
  signCertificate,
} from "../../src/ssh/index.ts";
import { type MachineLab, makeUserKey, openMachineLab } from "../helpers/local-machines.ts";
import { makeTempDir, removeDir, sshLogin } from "../helpers/openssh.ts";
import { testKeyPair, testSigner } from "../helpers/ssh-fixtures.ts";
import { hostState, krlBytes, objectIdOf } from "./helpers/host-state-fixture.ts";
import { sshdReady } from "./helpers/sshd-ready.ts";
import { type TestUser, testUser } from "./helpers/user-certs.ts";

const REPO = join(import.meta.dirname, "../..");
const ca1 = testSigner("ssh-ed25519", "login-ca-1");
const ca2 = testSigner("ssh-ed25519", "login-ca-2");
const caKey = (id: "ca-1" | "ca-2", status: "next" | "active" | "previous") => ({
  id,
  status,
  publicKey: formatPublicKey(
    testKeyPair("ssh-ed25519", id === "ca-1" ? "login-ca-1" : "login-ca-2").publicKey,
    id,
  ),
});
const WATCHED = ["/etc/ssh/sshd_config", "/etc/nsswitch.conf", "/etc/pam.d/sshd", "/etc/sudoers"];

describe("logins through the agent's files on a local machine", () => {
  let lab: MachineLab;
  let machine: LocalMachine;
  let dir: string;
  let states: string;
  let localAdmin: { key: string; publicLine: string };
  const users: Record<string, TestUser> = {};
  let before0: string;
  let stateVersion = 0;

  const entry = (
    u: TestUser,
    level: "user" | "admin",
    uid: number,
    kind: HostLogin["kind"] = "user",
  ): HostLogin => ({
    objectId: u.objectId,
    kind,
    linuxName: u.name,
    uid,
    level,
    displayName: u.name,
  });
  const apply = async (state: Partial<HostState>, krl = krlBytes()) => {
    stateVersion++;
    const full = hostState({ version: stateVersion, ...state }, krl);
    await writeFile(join(states, `state-${stateVersion}.json`), JSON.stringify(full));
    await writeFile(join(states, `krl-${stateVersion}`), krl);
    const r = await machine.exec(
      [
        "/opt/hostpass/bin/hostpass-agent",
        "apply",

        "--state",
        `/opt/hostpass-test/state-${stateVersion}.json`,
        "--krl",
        `/opt/hostpass-test/krl-${stateVersion}`,
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    await sshdReady(machine.address); // a changed drop-in reloads sshd
    return { status: JSON.parse(r.stdout) };
  };
  const ssh = (user: string, key: string, certificateFile: string | undefined, command: string) =>
    sshLogin({
      host: machine.address,
      port: 22,
      user,
      identityFile: key,
      ...(certificateFile ? { certificateFile } : {}),
      command,
    });
  /** Content, mode and owner of each watched file and of everything in sudoers.d and sshd_config.d. */
  const fingerprint = async () => {
    const files = `${WATCHED.join(" ")} /etc/sudoers.d/* /etc/ssh/sshd_config.d/*`;
    return (
      await machine.exec([
        "sh",
        "-c",
        `for f in ${files}; do [ -e "$f" ] && stat -c '%n %a %U %G' "$f" && sha256sum "$f"; done; true`,
      ])
    ).stdout;
  };

  before(async () => {
    dir = await makeTempDir("hostpass-agent-login-");
    states = await makeTempDir("hostpass-agent-states-");
    localAdmin = await makeUserKey(dir, "breakglass_key");
    lab = await openMachineLab();
    machine = await lab.start({
      hostname: "vm1",
      adminUser: { name: "localadmin", authorizedKeys: [localAdmin.publicLine] },
      binds: [
        { source: REPO, target: "/opt/hostpass", readOnly: true },
        { source: states, target: "/opt/hostpass-test", readOnly: true },
      ],
    });
    for (const [name, oid] of [
      ["alice@contoso.com", objectIdOf(1)],
      ["bob@contoso.com", objectIdOf(2)],
      ["carol@contoso.com", objectIdOf(3)],
      ["dave@contoso.com", objectIdOf(4)],
      ["sp-abcdefghijklmnopqrstuvwxyza", objectIdOf(5)],
      ["localadmin", objectIdOf(6)],
    ] as const) {
      users[name] = await testUser(dir, name, oid);
    }
    before0 = await fingerprint();
  });
  after(async () => {
    await lab?.close();
    await removeDir(dir);
    await removeDir(states);
  });

  it("admin role: shell and passwordless sudo; user role: shell, no sudo; a service principal logs in", async () => {
    const alice = users["alice@contoso.com"] as TestUser;
    const bob = users["bob@contoso.com"] as TestUser;
    const sp = users["sp-abcdefghijklmnopqrstuvwxyza"] as TestUser;
    const { status } = await apply({
      userCaKeys: [caKey("ca-1", "active")],
      logins: [
        entry(alice, "admin", 100_001),
        entry(bob, "user", 100_002),
        entry(sp, "user", 100_003, "servicePrincipal"),
      ],
    });
    assert.equal(status.extension.provisioningState, "Succeeded");
    const a = await ssh(
      alice.name,
      alice.key,
      await alice.certificate(ca1),
      "id -un; stat -c '%U %a' $HOME; sudo -n true && echo SUDO-OK",
    );
    assert.equal(a.code, 0, a.stderr);
    assert.deepEqual(a.stdout.trim().split("\n"), ["alice@contoso.com", "alice@contoso.com 700", "SUDO-OK"]);
    const b = await ssh(
      bob.name,
      bob.key,
      await bob.certificate(ca1),
      "id -un; sudo -n true && echo SUDO-OK || echo NO-SUDO",
    );
    assert.equal(b.code, 0, b.stderr);
    assert.deepEqual(b.stdout.trim().split("\n"), ["bob@contoso.com", "NO-SUDO"]);
    const s = await ssh(sp.name, sp.key, await sp.certificate(ca1), "id -un");
    assert.equal(s.stdout.trim(), sp.name, s.stderr);
  });

  it("no login in the state, a revoked certificate, a planted authorized_keys, a wrong CA: refused", async () => {
    const alice = users["alice@contoso.com"] as TestUser;
    const bob = users["bob@contoso.com"] as TestUser;
    const dave = users["dave@contoso.com"] as TestUser;
    const noRole = await ssh(dave.name, dave.key, await dave.certificate(ca1), "true");
    assert.notEqual(noRole.code, 0, "a principal without a login in the state");
    const revoked = await alice.certificate(ca1, { serial: 666n });
    await apply(
      {
        userCaKeys: [caKey("ca-1", "active")],
        logins: [entry(alice, "admin", 100_001), entry(bob, "user", 100_002)],
      },
      krlBytes({ version: 2n, certificates: [{ caKey: null, serials: [666n] }] }),
    );
    assert.notEqual((await ssh(alice.name, alice.key, revoked, "true")).code, 0, "a certificate in the KRL");
    assert.equal((await ssh(alice.name, alice.key, await alice.certificate(ca1), "true")).code, 0);
    const untrusted = await ssh(alice.name, alice.key, await alice.certificate(ca2), "true");
    assert.notEqual(untrusted.code, 0, "a CA the host does not trust");
    // bob's home exists (made by pam_mkhomedir at his first login): plant a key of his own there
    const planted = await machine.exec([
      "sh",
      "-c",
      `mkdir -p '/home/${bob.name}/.ssh' && printf '%s\\n' '${bob.publicLine}' > '/home/${bob.name}/.ssh/authorized_keys' && chown -R 100002 '/home/${bob.name}/.ssh'`,
    ]);
    assert.equal(planted.code, 0, planted.stderr);
    const byKey = await ssh(bob.name, bob.key, undefined, "true");
    assert.notEqual(byKey.code, 0, "a plain key in a directory user's authorized_keys");
  });

  it("a local user's name is never adopted and a symlinked home is never followed; the break-glass admin keeps working", async () => {
    const alice = users["alice@contoso.com"] as TestUser;
    const carol = users["carol@contoso.com"] as TestUser;
    const mallory = users.localadmin as TestUser;
    assert.equal((await machine.exec(["ln", "-s", "/root", `/home/${carol.name}`])).code, 0);
    const { status } = await apply({
      userCaKeys: [caKey("ca-1", "active")],
      logins: [
        entry(alice, "admin", 100_001),
        entry(carol, "admin", 100_004),
        entry(mallory, "admin", 100_005),
      ],
    });
    const reasons = Object.fromEntries(
      status.refused.map((r: { linuxName: string; reason: string }) => [r.linuxName, r.reason]),
    );
    assert.match(reasons.localadmin, /local account/);
    assert.match(reasons[carol.name], /symlink/);
    assert.notEqual((await ssh("localadmin", mallory.key, await mallory.certificate(ca1), "true")).code, 0);
    assert.notEqual((await ssh(carol.name, carol.key, await carol.certificate(ca1), "true")).code, 0);
    const through = await machine.exec(["find", "/root", "-uid", "100004"]);
    assert.equal(through.stdout.trim(), "", "nothing was made or given away through the link");
    const local = await ssh("localadmin", localAdmin.key, undefined, "id -un; sudo -n true && echo SUDO-OK");
    assert.deepEqual(local.stdout.trim().split("\n"), ["localadmin", "SUDO-OK"], local.stderr);
    assert.equal((await machine.exec(["rm", `/home/${carol.name}`])).code, 0);
  });

  it("a demotion takes sudo away, also in a session already open; a removal refuses the next login", async () => {
    const alice = users["alice@contoso.com"] as TestUser;
    const bob = users["bob@contoso.com"] as TestUser;
    await apply({
      userCaKeys: [caKey("ca-1", "active")],
      logins: [entry(alice, "admin", 100_001), entry(bob, "user", 100_002)],
    });
    const cert = await alice.certificate(ca1);
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
        `CertificateFile=${cert}`,
        `${alice.name}@${machine.address}`,
        "sudo -n true && echo BEFORE-OK; while [ ! -e /tmp/demoted ]; do sleep 0.1; done; sudo -n true && echo AFTER-OK || echo AFTER-REFUSED",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    session.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    const ended = new Promise((resolve) => session.once("exit", resolve));
    for (let i = 0; i < 200 && !out.includes("BEFORE-OK"); i++) await new Promise((r) => setTimeout(r, 50));
    // (how fast a revocation lands with the agent connected is measured by `npm run bench -- revoke`)
    await apply({ userCaKeys: [caKey("ca-1", "active")], logins: [{ ...entry(alice, "user", 100_001) }] });
    await machine.exec(["touch", "/tmp/demoted"]);
    await ended;
    assert.deepEqual(out.trim().split("\n"), ["BEFORE-OK", "AFTER-REFUSED"]);
    assert.notEqual(
      (await ssh(bob.name, bob.key, await bob.certificate(ca1), "true")).code,
      0,
      "removed: refused",
    );
    assert.equal(
      (
        await ssh(alice.name, alice.key, await alice.certificate(ca1), "sudo -n true || echo NO")
      ).stdout.trim(),
      "NO",
    );
  });

  it("CA rotation: during the overlap certificates of both keys log in; after it only the new key's", async () => {
    const alice = users["alice@contoso.com"] as TestUser;
    const logins = [entry(alice, "user", 100_001)];
    await apply({ userCaKeys: [caKey("ca-2", "next"), caKey("ca-1", "active")], logins });
    assert.equal(
      (await ssh(alice.name, alice.key, await alice.certificate(ca1), "true")).code,
      0,
      "old key, announced new",
    );
    assert.equal(
      (await ssh(alice.name, alice.key, await alice.certificate(ca2), "true")).code,
      0,
      "new key, announced",
    );
    await apply({ userCaKeys: [caKey("ca-2", "active"), caKey("ca-1", "previous")], logins });
    assert.equal(
      (await ssh(alice.name, alice.key, await alice.certificate(ca1), "true")).code,
      0,
      "old key, previous",
    );
    assert.equal(
      (await ssh(alice.name, alice.key, await alice.certificate(ca2), "true")).code,
      0,
      "new key, active",
    );
    await apply({ userCaKeys: [caKey("ca-2", "active")], logins });
    assert.notEqual(
      (await ssh(alice.name, alice.key, await alice.certificate(ca1), "true")).code,
      0,
      "old key, retired",
    );
    assert.equal((await ssh(alice.name, alice.key, await alice.certificate(ca2), "true")).code, 0);
  });

  it("host certificates: a client that trusts only the host CA connects with no host key prompt", async () => {
    const alice = users["alice@contoso.com"] as TestUser;
    const hostCa = testSigner("ssh-ed25519", "login-host-ca");
    const hostKeyLine = (await machine.hostPublicKeys()).find((l) => l.startsWith("ssh-ed25519 ")) as string;
    const now = BigInt(Math.floor(Date.now() / 1000));
    const hostCert = signCertificate(
      {
        kind: "host",
        key: parsePublicKey(hostKeyLine),
        serial: 5n,
        keyId: "vm1",
        principals: ["vm1", machine.address],
        validAfter: now - 60n,
        validBefore: now + 86_400n,
        criticalOptions: {},
        extensions: {},
      },
      hostCa,
    );
    const logins = [entry(alice, "user", 100_001)];
    const knownHosts = join(dir, "known_hosts_ca");
    await writeFile(
      knownHosts,
      renderCertAuthorityLine([machine.address], testKeyPair("ssh-ed25519", "login-host-ca").publicKey),
    );
    const strict = async () =>
      sshLogin({
        host: machine.address,
        port: 22,
        user: alice.name,
        identityFile: alice.key,
        certificateFile: await alice.certificate(ca2),
        knownHostsFile: knownHosts,
        command: "true",
      });
    await apply({ userCaKeys: [caKey("ca-2", "active")], logins });
    assert.notEqual(
      (await strict()).code,
      0,
      "no host certificate yet: the host key is unknown to the client",
    );
    await apply({
      userCaKeys: [caKey("ca-2", "active")],
      logins,
      hostCertificates: [formatCertificate(hostCert)],
    });
    const r = await strict();
    assert.equal(r.code, 0, r.stderr);
  });

  it("extension disable leaves sshd_config, nsswitch.conf, PAM and sudoers exactly as before", async () => {
    const alice = users["alice@contoso.com"] as TestUser;
    assert.notEqual(await fingerprint(), before0, "enabled: the files differ");
    const { status } = await apply({ loginEnabled: false, logins: [] });
    assert.equal(status.loginEnabled, false);
    assert.equal(await fingerprint(), before0);
    assert.notEqual((await ssh(alice.name, alice.key, await alice.certificate(ca2), "true")).code, 0);
    const local = await ssh("localadmin", localAdmin.key, undefined, "sudo -n true && echo SUDO-OK");
    assert.equal(local.stdout.trim(), "SUDO-OK", local.stderr);
    const leftovers = await machine.exec([
      "sh",
      "-c",
      "ls /etc/ssh/hostpass /etc/sudoers.d/hostpass-admins /etc/ssh/sshd_config.d/00-hostpass.conf 2>&1 || true",
    ]);
    assert.match(
      leftovers.stdout,
      /No such file or directory[\s\S]*No such file or directory[\s\S]*No such file or directory/,
    );
  });
});
