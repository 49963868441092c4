/**
 * Local machines (src/localvm) for real: namespaces, a veth on a private bridge, the machine's own
 * /etc and sshd, real `ssh` logins from the host, sudo inside, and teardown that leaves nothing.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { openMachine } from "../../src/localvm/index.ts";
import { type MachineLab, makeUserKey, openMachineLab } from "../helpers/local-machines.ts";
import { exec, makeTempDir, removeDir, sshLogin } from "../helpers/openssh.ts";

const sha256 = async (path: string) =>
  createHash("sha256")
    .update(await readFile(path))
    .digest("hex");

describe("a local machine", () => {
  let lab: MachineLab;
  let keys: string;
  let admin: { key: string; publicLine: string };
  let knownHosts: string;
  const hostFiles = ["/etc/passwd", "/etc/group", "/etc/shadow", "/etc/sudoers", "/etc/nsswitch.conf"];
  const hostHashes = new Map<string, string>();

  before(async () => {
    for (const file of hostFiles) hostHashes.set(file, await sha256(file));
    lab = await openMachineLab();
    keys = await makeTempDir();
    admin = await makeUserKey(keys);
    knownHosts = `${keys}/known_hosts`;
  });
  after(async () => {
    await lab?.close();
    await removeDir(keys);
  });

  const login = (address: string, command: string) =>
    sshLogin({
      host: address,
      port: 22,
      user: "localadmin",
      identityFile: admin.key,
      knownHostsFile: knownHosts,
      command,
    });

  it("is its own host: address, name, accounts, sshd with its own host keys, passwordless sudo for its admin", async () => {
    const machine = await lab.start({
      hostname: "myVM",
      adminUser: { name: "localadmin", authorizedKeys: [admin.publicLine] },
      sshdArgs: ["-o", "LogLevel=VERBOSE"],
    });
    assert.match(machine.address, /^10\.213\.\d+\.\d+$/);
    const hostKeys = await machine.hostPublicKeys();
    assert.ok(hostKeys.some((line) => line.startsWith("ssh-ed25519 ")));
    await writeFile(knownHosts, hostKeys.map((line) => `${machine.address} ${line}\n`).join(""));

    const result = await login(
      machine.address,
      "hostname; id -un; sudo -n true && echo sudo-ok; getent passwd localadmin",
    );
    assert.equal(result.code, 0, result.stderr);
    const [hostname, user, sudo, entry] = result.stdout.trim().split("\n");
    assert.equal(hostname, "myVM");
    assert.equal(user, "localadmin");
    assert.equal(sudo, "sudo-ok");
    assert.equal(entry, "localadmin:x:1000:1000::/home/localadmin:/bin/bash");
    const sshdLog = await readFile(`${machine.dir}/var/log/localvm-sshd.log`, "utf8");
    assert.match(
      sshdLog,
      /Accepted publickey for localadmin from 10\.213\.\d+\.1 /,
      "its sshd logs where the host can read",
    );
    const sshd = await machine.exec(["pgrep", "-a", "-x", "sshd"]);
    assert.match(sshd.stdout, /-o LogLevel=VERBOSE/, "extra sshd arguments are passed");

    // Its accounts are its own: the host's people are not there, its admin is not on the host.
    const passwd = await machine.exec(["cat", "/etc/passwd"]);
    for (const line of passwd.stdout.trim().split("\n")) {
      const uid = Number(line.split(":")[2]);
      assert.ok(uid < 1000 || uid === 65534 || line.startsWith("localadmin:"), line);
    }
    assert.doesNotMatch(await readFile("/etc/passwd", "utf8"), /^localadmin:/m);

    // Its /var/lib is its own (kept on its disk), with the host's package state read-only in it.
    const state = await machine.exec([
      "sh",
      "-c",
      "mkdir -m 0700 /var/lib/hostpass-agent && echo key > /var/lib/hostpass-agent/key",
    ]);
    assert.equal(state.code, 0, state.stderr);
    assert.equal(await readFile(`${machine.dir}/var/lib/hostpass-agent/key`, "utf8"), "key\n");
    await assert.rejects(readFile("/var/lib/hostpass-agent/key"), { code: "ENOENT" });
    assert.match(
      (await machine.exec(["dpkg-query", "--status", "openssh-server"])).stdout,
      /^Status: install ok installed$/m,
    );
    assert.notEqual(
      (await machine.exec(["touch", "/var/lib/dpkg/x"])).code,
      0,
      "the host's dpkg state is read-only",
    );
    assert.notEqual(
      (await machine.exec(["test", "-e", "/var/lib/postgresql"])).code,
      0,
      "services' data stay on the host",
    );
    for (const file of hostFiles)
      assert.equal(await sha256(file), hostHashes.get(file), `${file} of the host changed`);
  });

  it("reaches nothing but its own subnet, and listens only on its own address", async () => {
    const machine = await lab.start({ hostname: "island" });
    const routes = await machine.exec(["ip", "-4", "route", "show", "table", "all"]);
    assert.doesNotMatch(routes.stdout, /^default/m);
    const outside = await machine.exec(["ip", "route", "get", "192.0.2.77"]);
    assert.notEqual(outside.code, 0, "a machine has no route out of its subnet");
    const addresses = await machine.exec(["ip", "-o", "addr", "show"]);
    assert.deepEqual(
      addresses.stdout
        .trim()
        .split("\n")
        .map((line) => line.split(/\s+/).slice(1, 4).join(" ")),
      ["lo inet 127.0.0.1/8", `eth0 inet ${machine.address}/24`],
      "no IPv6, no other address",
    );
    const listening = await machine.exec(["ss", "-Htln"]);
    assert.deepEqual(
      listening.stdout
        .trim()
        .split("\n")
        .map((line) => line.trim().split(/\s+/)[3]),
      [`${machine.address}:22`],
    );
    assert.equal(
      (await readFile(`/proc/sys/net/ipv4/conf/${lab.network.name}/forwarding`, "utf8")).trim(),
      "0",
    );
    const peer = await machine.exec(["bash", "-c", `exec 3<>/dev/tcp/${lab.network.gateway}/1 || true`]);
    assert.match(peer.stderr, /Connection refused/, "the gateway (the host) is reachable from the machine");
  });

  it("runs supervised services and restarts one that exits", async () => {
    const machine = await lab.start({
      hostname: "services",
      services: [
        { name: "ticker", argv: ["/bin/sh", "-c", "echo started >> /var/log/ticker.out; exec sleep 600"] },
      ],
    });
    const pidOf = async () => (await machine.exec(["cat", "/run/localvm/ticker.pid"])).stdout.trim();
    let first = "";
    for (let i = 0; i < 100 && first === ""; i++) {
      first = await pidOf();
      if (first === "") await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.match(first, /^\d+$/);
    await machine.exec(["kill", first]);
    let second = first;
    for (let i = 0; i < 200 && (second === first || second === ""); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      second = await pidOf();
    }
    assert.notEqual(second, first, "the service was started again");
    const out = await machine.exec(["cat", "/var/log/ticker.out"]);
    assert.equal(out.stdout, "started\nstarted\n");
  });

  it("outlives the process that started it, and keeps its identity across a stop and start", async () => {
    const dir = `${lab.root}/survivor`;
    const script = `
      import { startMachine, LocalNetwork } from ${JSON.stringify(new URL("../../src/localvm/index.ts", import.meta.url).href)};
      const network = new LocalNetwork(${JSON.stringify(lab.network.toJSON())});
      const address = ${JSON.stringify(lab.network.subnet.replace(/\.0\/24$/, ".200"))}; // clear of the lab's own
      const machine = await startMachine({ dir: ${JSON.stringify(dir)}, network, address, hostname: "survivor" });
      await machine.exec(["sh", "-c", "echo kept > /root/note; echo gone > /tmp/note"]);
      console.log(machine.address);`;
    const child = await exec(process.execPath, ["--input-type=module", "-e", script]);
    assert.equal(child.code, 0, child.stderr);
    const found = await openMachine(dir);
    assert.ok(found && (await found.isRunning()), "the machine runs after its starter exited");
    assert.equal(found.address, child.stdout.trim());
    assert.equal((await found.exec(["hostname"])).stdout.trim(), "survivor");
    const keysBefore = await found.hostPublicKeys();
    await found.stop();
    assert.equal(await found.isRunning(), false);

    const again = await lab.start({ hostname: "survivor", dir, address: found.address });
    assert.deepEqual(await again.hostPublicKeys(), keysBefore, "same host keys");
    assert.equal((await again.exec(["cat", "/root/note"])).stdout, "kept\n", "its disk is kept");
    assert.notEqual((await again.exec(["cat", "/tmp/note"])).code, 0, "its /tmp is fresh");
  });
});
