/**
 * `hostpass ssh vm` and `hostpass ssh config` end to end: the real CLI (bin/hostpass, a real
 * process, as a user runs it) against a real `hostpass server` whose certificates live 60 seconds,
 * and a stand-in host (test/helpers/stand-in-host.ts: a real sshd that trusts the tenant's user CA
 * and presents a host certificate from its host CA) until agent-managed local machines serve this.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { createUser, type User } from "../../src/directory/index.ts";
import { ADMIN_PASSWORD, ADMIN_UPN, type CliServer, startCliServer } from "../helpers/cli-server.ts";
import { makeTempDir, removeDir, type Sshd } from "../helpers/openssh.ts";
import { type StandInHost, startStandInHost } from "../helpers/stand-in-host.ts";

const run = promisify(execFile);
const BIN = new URL("../../bin/hostpass", import.meta.url).pathname;
const words = (line: string) => line.split(" ");

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe("hostpass ssh vm and ssh config, end to end on a real sshd", () => {
  let s: CliServer;
  let alice: User;
  let host: StandInHost;
  let sshd: Sshd;

  /** A real process with the CLI user's environment (HOME, config dir), no terminal. */
  async function exec(file: string, args: string[], timeout = 60_000, env = s.env): Promise<Result> {
    try {
      const { stdout, stderr } = await run(file, args, { env, timeout, encoding: "utf8" });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      if (typeof e.code !== "number") throw error;
      return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
    }
  }
  const hostpass = (args: string[]) => exec(BIN, args);
  const vmArgs = () => ["ssh", "vm", "-n", "myVM", "-g", "LinuxVMs", "--port", String(sshd.port)];

  before(async () => {
    s = await startCliServer({ certificateLifetimeSeconds: 60 });
    const tenantId = s.running.bootstrap.tenant.id;
    alice = await createUser(s.running.store.directory, {
      tenantId,
      upn: "alice@hostpass.local",
      displayName: "Alice",
      password: "alices password 1",
    });
    assert.equal((await s.signIn(ADMIN_UPN, ADMIN_PASSWORD)).code, 0);
    const vms = `/subscriptions/${s.running.bootstrap.subscriptionId}/resourceGroups/LinuxVMs/providers/Compute/virtualMachines`;
    for (const args of [
      "group create -n LinuxVMs -l local",
      "vm create -g LinuxVMs -n myVM --image debian-12 --enable-login --private-ip-address 127.0.0.1",
      "vm create -g LinuxVMs -n noRole --image debian-12 --enable-login --private-ip-address 127.0.0.1",
      "vm create -g LinuxVMs -n readOnly --image debian-12 --enable-login --private-ip-address 127.0.0.1",
      `role assignment create --role Reader --assignee ${alice.upn} --scope ${vms}/readOnly`,
    ].map(words)) {
      const r = await s.cli(args);
      assert.equal(r.code, 0, `${args.join(" ")}\n${r.err}`);
    }
    const admin = await s.cli([
      ...words("role assignment create --assignee"),
      alice.upn,
      "--role",
      "Virtual Machine Administrator Login",
      "--scope",
      `${vms}/myVM`,
    ]);
    assert.equal(admin.code, 0, admin.err);
    assert.doesNotMatch(admin.err, /WARNING/);
    // Without --scope or -g the role covers the whole subscription, as in az, but it is said.
    const wide = await s.cli([...words("role assignment create --role Reader --assignee"), ADMIN_UPN]);
    assert.equal(wide.code, 0, wide.err);
    assert.match(
      wide.err,
      /WARNING: no --scope or -g given: the role applies to the whole subscription \(\/subscriptions\//,
    );
    // The stand-in host: sshd trusting the user CA, with a host certificate from the host CA.
    host = await startStandInHost(s.running, s.dataDir, [alice.linuxName]);
    sshd = host.sshd;
    assert.equal((await s.signIn(alice.upn, "alices password 1")).code, 0);
  });

  after(async () => {
    await host?.stop();
    await s?.close();
  });

  it("ssh vm -n -g: a shell command as the directory user, host verified by the host CA, no prompt", async () => {
    const r = await hostpass([...vmArgs(), "--", "-o", "BatchMode=yes", "id", "-un"]);
    assert.equal(r.code, 0, `${r.stderr}\n${sshd.log().slice(-1500)}`);
    assert.equal(r.stdout.trim(), alice.linuxName);
    assert.match(sshd.log(), new RegExp(`Accepted certificate ID "${alice.id}@`));
    const known = await readFile(join(s.home, ".hostpass", "ssh", "test", alice.id, "known_hosts"), "utf8");
    assert.match(known, /^@cert-authority \* ssh-ed25519 /);
  });

  it("the certificate is cached: a second ssh vm makes no new one", async () => {
    const folder = join(s.home, ".hostpass", "ssh", "test", alice.id);
    const before = await readFile(join(folder, "id_ed25519-cert.pub"), "utf8");
    const r = await hostpass([...vmArgs(), "--", "-o", "BatchMode=yes", "true"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await readFile(join(folder, "id_ed25519-cert.pub"), "utf8"), before);
    assert.deepEqual((await readdir(folder)).sort(), [
      "id_ed25519",
      "id_ed25519-cert.pub",
      "id_ed25519.pub",
      "known_hosts",
      "meta.json",
    ]);
  });

  it("a new hostpass login drops the earlier session's cached certificate: the next ssh vm gets a fresh one", async () => {
    // Trial finding 1: a disabled and re-enabled user signed in again, but ssh vm kept offering
    // the old (revoked) certificate. A sign-in starts with no certificate of an earlier session.
    const folder = join(s.home, ".hostpass", "ssh", "test", alice.id);
    const before = await readFile(join(folder, "id_ed25519-cert.pub"), "utf8");
    assert.equal((await s.signIn(alice.upn, "alices password 1")).code, 0);
    assert.deepEqual(await readdir(folder).catch(() => []), [], "the keys folder is gone after login");
    const r = await hostpass([...vmArgs(), "--", "-o", "BatchMode=yes", "true"]);
    assert.equal(r.code, 0, r.stderr);
    const after = await readFile(join(folder, "id_ed25519-cert.pub"), "utf8");
    assert.notEqual(after, before, "a new certificate was issued");
  });

  it("ssh cannot get in with a cached certificate (255) and the service names no reason: it is dropped and said", async () => {
    // An agent-managed host refuses a revoked certificate and ssh exits 255; here a remote
    // `exit 255` ends ssh the same way (the stand-in sshd checks no revocation). Twice: the
    // first through bin/hostpass's fast path (its record from the run before), the second
    // through Node (the record is removed on 255).
    const folder = join(s.home, ".hostpass", "ssh", "test", alice.id);
    for (let round = 0; round < 2; round++) {
      const ok = await hostpass([...vmArgs(), "--", "-o", "BatchMode=yes", "true"]);
      assert.equal(ok.code, 0, ok.stderr);
      const before = await readFile(join(folder, "id_ed25519-cert.pub"), "utf8");
      const r = await hostpass([...vmArgs(), "--", "-o", "BatchMode=yes", "exit", "255"]);
      assert.equal(r.code, 255, r.stderr);
      assert.match(
        r.stderr,
        /hostpass: ssh could not get in with the certificate cached since \d\d:\d\d UTC .*it is dropped: run the command again for a fresh one/,
      );
      assert.deepEqual(
        (await readdir(folder)).includes("meta.json"),
        false,
        "the cached certificate is dropped",
      );
      const again = await hostpass([...vmArgs(), "--", "-o", "BatchMode=yes", "true"]);
      assert.equal(again.code, 0, again.stderr);
      assert.notEqual(
        await readFile(join(folder, "id_ed25519-cert.pub"), "utf8"),
        before,
        "a fresh certificate",
      );
    }
  });

  it("passes ssh's exit status through, and everything after --", async () => {
    const r = await hostpass([
      "ssh",
      "vm",
      "--ip",
      "127.0.0.1",
      "--port",
      String(sshd.port),
      "--",
      "-o",
      "BatchMode=yes",
      "exit",
      "7",
    ]);
    assert.equal(r.code, 7, r.stderr);
  });

  it("no role at all on the machine: the seed's 'Access denied: role not assigned' (exit 5), no ssh run", async () => {
    const r = await hostpass([...words("ssh vm -n noRole -g LinuxVMs --port"), String(sshd.port)]);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /^ERROR: \(ERR_LOGIN_ROLE_MISSING\) Access denied: role not assigned/);
  });

  it("Reader but no login role: ssh fails, then the seed's 'Access denied: role not assigned' (exit 5)", async () => {
    // The stand-in sshd admits alice's certificate anywhere; an agent-managed host without her role
    // would refuse her and ssh would exit 255. A remote `exit 255` ends ssh the same way here.
    const port = String(sshd.port);
    const r = await hostpass([
      ...words("ssh vm -n readOnly -g LinuxVMs --port"),
      port,
      ...words("-- -o BatchMode=yes exit 255"),
    ]);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /ERR_LOGIN_ROLE_MISSING\) Access denied: role not assigned/);
  });

  it("a host's real refusal: the service's reason takes the place of ssh's 'Permission denied'; without one, ssh's line stands first", async () => {
    // New-user trial: ssh's "Permission denied" came first and the cause after it was missed.
    // The stand-in sshd refuses alice once her principals file is gone.
    const admitted = join(host.dir, "principals", alice.linuxName);
    const saved = await readFile(admitted, "utf8");
    await rm(admitted);
    try {
      const port = String(sshd.port);
      const explained = await hostpass([
        ...words("ssh vm -n readOnly -g LinuxVMs --port"),
        port,
        ...words("-- -o BatchMode=yes true"),
      ]);
      assert.equal(explained.code, 5, explained.stderr);
      assert.match(explained.stderr, /^ERROR: \(ERR_LOGIN_ROLE_MISSING\) Access denied: role not assigned/m);
      assert.doesNotMatch(explained.stderr, /Permission denied/, "the explanation replaces ssh's line");
      const debug = await hostpass([
        ...words("ssh vm -n readOnly -g LinuxVMs --debug --port"),
        port,
        ...words("-- -o BatchMode=yes true"),
      ]);
      assert.match(
        debug.stderr,
        /Permission denied \(publickey\)\.\r?\n(.*\n)*ERROR: \(ERR_LOGIN_ROLE_MISSING\)/,
      );
      // By address, where alice may not list the VMs: ssh's line, then what hostpass can say.
      const unexplained = await hostpass([
        ...words("ssh vm --ip 127.0.0.1 --port"),
        port,
        ...words("-- -o BatchMode=yes true"),
      ]);
      assert.equal(unexplained.code, 255, unexplained.stderr);
      assert.match(
        unexplained.stderr,
        /^\S+: Permission denied \(publickey\)\.\r?\nhostpass: you may not list the virtual machines/m,
      );
    } finally {
      await writeFile(admitted, saved);
    }
  });

  it("--ip refused (255) where the service cannot tell why: the user is told how to ask (-n -g)", async () => {
    // Trial finding 4: only ssh's "Permission denied" was printed. alice may not list the VMs
    // (no read on the subscription), so the CLI cannot find which one has the address; a remote
    // `exit 255` stands for the host's refusal.
    const r = await hostpass([
      ...words("ssh vm --ip 127.0.0.1 --port"),
      String(sshd.port),
      ...words("-- -o BatchMode=yes exit 255"),
    ]);
    assert.equal(r.code, 255, r.stderr);
    assert.match(
      r.stderr,
      /hostpass: you may not list the virtual machines, so the service cannot say why ssh could not get in; if 127\.0\.0\.1 is a hostpass VM, `hostpass ssh vm -n <name> -g <group>` says why \(e\.g\. ERR_LOGIN_ROLE_MISSING/,
    );
  });

  it("ssh config: plain ssh, scp and sftp work, and keep working after the first certificate expired", async () => {
    const config = join(s.home, ".ssh", "config");
    const written = await hostpass([
      "ssh",
      "config",
      "--file",
      config,
      "-n",
      "myVM",
      "-g",
      "LinuxVMs",
      "--port",
      String(sshd.port),
      "--prefer-private-ip",
    ]);
    assert.equal(written.code, 0, written.stderr);
    const text = await readFile(config, "utf8");
    assert.match(
      text,
      /^Match originalhost LinuxVMs-myVM,127\.0\.0\.1 exec ".* ssh cert --renew '.*' --only-show-errors"$/m,
    );
    const ssh = (args: string[]) => exec("ssh", ["-F", config, "-o", "BatchMode=yes", ...args]);
    const file = join(s.home, "payload.txt");
    await writeFile(file, "hostpass scp payload\n");
    const sftpBatch = join(s.home, "sftp.batch");
    await writeFile(sftpBatch, `put ${file} sftp-copy.txt\nls\n`);
    const roundTrip = async () => {
      const login = await ssh(["LinuxVMs-myVM", "echo", "ok"]);
      assert.equal(login.code, 0, `${login.stderr}\n${sshd.log().slice(-1000)}`);
      assert.equal(login.stdout.trim(), "ok");
      const scp = await exec("scp", [
        "-F",
        config,
        "-o",
        "BatchMode=yes",
        file,
        "LinuxVMs-myVM:scp-copy.txt",
      ]);
      assert.equal(scp.code, 0, scp.stderr);
      const sftp = await exec("sftp", [
        "-F",
        config,
        "-o",
        "BatchMode=yes",
        "-b",
        sftpBatch,
        "LinuxVMs-myVM",
      ]);
      assert.equal(sftp.code, 0, sftp.stderr);
      const check = await ssh(["127.0.0.1", "cat", "scp-copy.txt", "sftp-copy.txt"]);
      assert.equal(check.stdout, "hostpass scp payload\nhostpass scp payload\n");
    };
    const folder = join(s.home, ".hostpass", "ssh", "test", alice.id);
    await roundTrip();
    const first = JSON.parse(await readFile(join(folder, "meta.json"), "utf8")) as { validBefore: number };
    // Past the first certificate's end (60 s lifetime): the Match exec line renews it by itself.
    await new Promise((r) => setTimeout(r, Math.max(0, first.validBefore * 1000 - Date.now()) + 1500));
    await roundTrip();
    const second = JSON.parse(await readFile(join(folder, "meta.json"), "utf8")) as { validBefore: number };
    assert.ok(second.validBefore > first.validBefore, "a new certificate was issued");
    const again = await hostpass([
      "ssh",
      "config",
      "--file",
      config,
      "-n",
      "myVM",
      "-g",
      "LinuxVMs",
      "--port",
      String(sshd.port),
      "--prefer-private-ip",
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(
      (await readFile(config, "utf8")).split("# BEGIN hostpass LinuxVMs-myVM").length,
      2,
      "replaced, not appended",
    );
  });
  it("--local-user (break-glass): the machine's own account and key, the host verified by the host CA", async () => {
    // A stand-in whose local account "localadmin" admits a plain key (no certificate involved).
    const keyFile = join(s.home, "localadmin_key");
    const made = await exec("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keyFile]);
    assert.equal(made.code, 0, made.stderr);
    // sshd reads it as the account (the test home is closed to others).
    const keysDir = await makeTempDir("hostpass-break-glass-");
    const authorized = join(keysDir, "authorized_keys");
    await writeFile(authorized, await readFile(`${keyFile}.pub`, "utf8"), { mode: 0o644 });
    const breakGlass = await startStandInHost(s.running, s.dataDir, ["localadmin"], {
      authorizedKeysFile: authorized,
    });
    try {
      const breakGlassArgs = [
        ...words("ssh vm --ip 127.0.0.1 --port"),
        breakGlass.port,
        ...words("--local-user localadmin -i"),
        keyFile,
        ...words("-- -o BatchMode=yes id -un"),
      ];
      const r = await hostpass(breakGlassArgs);
      // BatchMode never asks about an unknown host key: only the host CA can have vouched for it.
      assert.equal(r.code, 0, `${r.stderr}\n${breakGlass.sshd.log().slice(-1000)}`);
      assert.equal(r.stdout.trim(), "localadmin");
      assert.doesNotMatch(r.stderr, /WARNING/);
      assert.match(breakGlass.sshd.log(), /Accepted publickey for localadmin/);
      const known = await readFile(join(s.home, ".hostpass", "ssh", "test", "known_hosts"), "utf8");
      assert.match(known, /^@cert-authority \* ssh-ed25519 /);
      // Nobody signed in on this machine (a fresh config directory): break-glass still works,
      // and the host CA (GET /ssh/ca needs no sign-in) still vouches for the host.
      const fresh = { ...s.env, HOSTPASS_CONFIG_DIR: join(s.home, "fresh-config") };
      for (const args of [
        ["cloud", "register", "-n", "test", "--endpoint", s.running.publicUrl, "--ca-file", s.caFile],
        ["cloud", "set", "-n", "test"],
      ]) {
        const r = await exec(BIN, args, 60_000, fresh);
        assert.equal(r.code, 0, r.stderr);
      }
      const signedOut = await exec(BIN, [...breakGlassArgs], 60_000, fresh);
      assert.equal(signedOut.code, 0, signedOut.stderr);
      assert.equal(signedOut.stdout.trim(), "localadmin");
    } finally {
      await breakGlass.stop();
      await removeDir(keysDir);
    }
  });

  it("after logout, plain ssh through ssh config says to sign in (ERR_NOT_SIGNED_IN); after login it works again", async () => {
    const config = join(s.home, ".ssh", "config");
    assert.equal((await hostpass(["logout"])).code, 0);
    const out = await exec("ssh", ["-F", config, "-o", "BatchMode=yes", "LinuxVMs-myVM", "true"]);
    assert.equal(out.code, 255, out.stderr);
    assert.match(out.stderr, /ERROR: \(ERR_NOT_SIGNED_IN\) .*run `hostpass login` again/);
    assert.doesNotMatch(out.stderr, /ssh config/);
    assert.equal((await s.signIn(alice.upn, "alices password 1")).code, 0);
    const back = await exec("ssh", ["-F", config, "-o", "BatchMode=yes", "LinuxVMs-myVM", "id", "-un"]);
    assert.equal(back.code, 0, `${back.stderr}\n${sshd.log().slice(-1000)}`);
    assert.equal(back.stdout.trim(), alice.linuxName);
  });
});
