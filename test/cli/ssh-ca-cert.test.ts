/**
 * `hostpass ssh ca show|rotate` and `hostpass ssh cert list|revoke` end to end: the real CLI
 * against a real `hostpass server` (sign-ins in Debian's Chromium), certificates used for real
 * `ssh` logins through a private sshd that trusts what `GET /ssh/ca` publishes (as the host agent
 * keeps TrustedUserCAKeys) and keeps the KRL built from the ledger's revocations (RevokedKeys).
 * sshd reads both files at each authentication, so rewriting them is what a host update does.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { http } from "../../src/cli/session/http.ts";
import { createUser, type User } from "../../src/directory/index.ts";
import type { RunningServer } from "../../src/server/index.ts";
import { encodeKrl, fingerprintSha256, parseCertificateText } from "../../src/ssh/index.ts";
import {
  ADMIN_PASSWORD,
  ADMIN_UPN,
  type CliServer,
  type CliUser,
  startCliServer,
} from "../helpers/cli-server.ts";
import { makeTempDir, removeDir, type Sshd, sshLogin, startSshd } from "../helpers/openssh.ts";

const execFileAsync = promisify(execFile);

describe("ssh ca / ssh cert / vm session commands, end to end", () => {
  let s: CliServer;
  let running: RunningServer;
  let alicesCli: CliUser;
  let alice: User;
  let sshdDir: string;
  let sshd: Sshd;
  let krlVersion = 1n;

  /** The real CLI as the administrator (the server's first CLI user) or as alice (her own HOME). */
  const cli = (who: "admin" | "alice", args: string[]) => (who === "admin" ? s : alicesCli).cli(args);
  const admin = async (args: string[], expected = 0) => {
    const run = await cli("admin", args);
    assert.equal(run.code, expected, `${args.join(" ")}: ${run.out}${run.err}`);
    return expected === 0 ? JSON.parse(run.out || "null") : run;
  };
  /** A fresh key pair and certificate for alice; returns the key file and the certificate's serial and CA. */
  const certificate = async (name: string) => {
    const file = join(alicesCli.home, "certs", name, "id-cert.pub");
    const run = await cli("alice", ["ssh", "cert", "--file", file]);
    assert.equal(run.code, 0, run.err);
    const cert = parseCertificateText(await readFile(file, "utf8"));
    return {
      key: join(alicesCli.home, "certs", name, "id_ed25519"),
      file,
      serial: cert.serial,
      ca: fingerprintSha256(cert.caKey.blob),
    };
  };
  const logsIn = async (c: { key: string; file: string }) =>
    (
      await sshLogin({
        port: sshd.port,
        user: "root",
        identityFile: c.key,
        certificateFile: c.file,
      })
    ).code === 0;
  /** What an agent does on `caKeys.changed`: TrustedUserCAKeys from the published trust list. */
  const refreshTrust = async () => {
    const ca = (await http(`${running.url}/ssh/ca`, { caFile: s.caFile })).body as { userCaKeys: string[] };
    await writeFile(join(sshdDir, "trusted"), `${ca.userCaKeys.join("\n")}\n`);
    return ca.userCaKeys.length;
  };
  /** What an agent does on `revocation.added`: a new KRL from the ledger's revocations. */
  const refreshKrl = async () => {
    const { serials, keyIds } = await running.store.certificates.revocations(new Date());
    krlVersion++;
    const krl = encodeKrl({ version: krlVersion, certificates: [{ caKey: null, serials, keyIds }] });
    await writeFile(join(sshdDir, "krl"), krl);
  };

  before(async () => {
    s = await startCliServer();
    running = s.running;
    alice = await createUser(running.store.directory, {
      tenantId: running.bootstrap.tenant.id,
      upn: "alice@hostpass.local",
      displayName: "Alice",
      password: "alices password 1",
    });
    alicesCli = await s.user();
    assert.equal((await alicesCli.signIn(alice.upn, "alices password 1")).code, 0);
    assert.equal((await s.signIn(ADMIN_UPN, ADMIN_PASSWORD)).code, 0);

    sshdDir = await makeTempDir("hostpass-cli-ca-sshd-");
    await refreshTrust();
    await refreshKrl();
    await writeFile(join(sshdDir, "principals_root"), `${alice.linuxName}\n`);
    sshd = await startSshd({
      dir: sshdDir,
      trustedUserCaKeys: join(sshdDir, "trusted"),
      revokedKeys: join(sshdDir, "krl"),
      authorizedPrincipalsFile: join(sshdDir, "principals_%u"),
    });
  });

  after(async () => {
    await sshd?.stop();
    if (sshdDir) await removeDir(sshdDir);
    await s?.close();
  });

  it("ssh cert binds its token to the key for every key type the CA certifies (ssh-keygen RSA 3072, ECDSA P-384 and P-521)", async () => {
    for (const [type, bits] of [
      ["rsa", "3072"],
      ["ecdsa", "384"],
      ["ecdsa", "521"],
    ] as const) {
      const key = join(alicesCli.home, `id_${type}${bits}`);
      await execFileAsync("ssh-keygen", ["-q", "-t", type, "-b", bits, "-N", "", "-f", key]);
      const file = `${key}-cert.pub`;
      const run = await cli("alice", ["ssh", "cert", "--file", file, "--public-key-file", `${key}.pub`]);
      assert.equal(run.code, 0, `${type} ${bits}: ${run.err}`);
      const cert = parseCertificateText(await readFile(file, "utf8"));
      const offered = (await readFile(`${key}.pub`, "utf8")).split(" ")[1];
      assert.equal(
        Buffer.from(cert.key.blob).toString("base64"),
        offered,
        `${type} ${bits}: the certificate is for that key`,
      );
    }
  });

  it("rotates the user CA: the old key's certificate works in the overlap and is refused after retire", async () => {
    const shown = (await admin(["ssh", "ca", "show"])) as {
      purpose: string;
      state: string;
      fingerprint: string;
    }[];
    const oldCa = shown.find((k) => k.purpose === "user" && k.state === "active")?.fingerprint;
    const old = await certificate("old");
    assert.equal(old.ca, oldCa, "ca show names the key that signs");
    assert.ok(await logsIn(old));

    const announced = await admin(["ssh", "ca", "rotate", "--step", "announce"]);
    assert.equal(announced.step, "announce");
    assert.equal(await refreshTrust(), 2, "hosts trust the announced key besides the active one");
    assert.ok(await logsIn(old));

    const activated = await admin(["ssh", "ca", "rotate"]);
    assert.equal(activated.step, "activate", "without --step: the step the keys are at");
    const fresh = await certificate("fresh");
    const newCa = (activated.keys as { state: string; fingerprint: string }[]).find(
      (k) => k.state === "active",
    )?.fingerprint;
    assert.equal(fresh.ca, newCa, "new certificates are signed by the activated key at once");
    assert.notEqual(fresh.ca, old.ca);
    assert.equal(await refreshTrust(), 2);
    assert.ok(await logsIn(old), "the old key's certificate still works during the overlap");
    assert.ok(await logsIn(fresh));

    const early = await admin(["ssh", "ca", "rotate", "--step", "retire"], 6);
    assert.match(early.err, /ERR_CA_RETIRE_TOO_EARLY/);
    assert.equal(await refreshTrust(), 2, "a refused step changes nothing");
    const retired = await admin(["ssh", "ca", "rotate", "--step", "retire", "--force"]);
    assert.equal(retired.step, "retire");
    assert.equal(await refreshTrust(), 1);
    assert.equal(await logsIn(old), false, "refused once the old key is retired");
    assert.ok(await logsIn(fresh));

    const table = await cli("admin", ["ssh", "ca", "show", "--purpose", "user", "--all", "-o", "table"]);
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /retired/);
    assert.match(table.out, /active/);
  });

  it("revokes by serial and by principal: the KRL refuses them at a real sshd", async () => {
    const one = await certificate("one");
    const two = await certificate("two");
    const three = await certificate("three");
    await refreshTrust();
    assert.ok((await logsIn(one)) && (await logsIn(two)) && (await logsIn(three)));

    const listed = (await admin(["ssh", "cert", "list", "--principal", alice.upn])) as { serial: string }[];
    for (const c of [one, two, three]) assert.ok(listed.some((l) => l.serial === c.serial.toString()));
    const bySerial = await admin([
      "ssh",
      "cert",
      "revoke",
      "--serial",
      one.serial.toString(),
      "--reason",
      "lost laptop",
      "--yes",
    ]);
    assert.deepEqual(bySerial, { revoked: [one.serial.toString()], alreadyRevoked: [] });
    await refreshKrl();
    assert.equal(await logsIn(one), false, "the revoked certificate is refused");
    assert.ok(await logsIn(two), "the others still work");

    const byPrincipal = (await admin(["ssh", "cert", "revoke", "--principal", alice.upn, "--yes"])) as {
      revoked: string[];
    };
    assert.ok(byPrincipal.revoked.includes(two.serial.toString()));
    assert.ok(byPrincipal.revoked.includes(three.serial.toString()));
    assert.ok(!byPrincipal.revoked.includes(one.serial.toString()), "a revoked one is not revoked twice");
    await refreshKrl();
    assert.equal(await logsIn(two), false);
    assert.equal(await logsIn(three), false);

    const live = (await admin(["ssh", "cert", "list", "--principal", alice.upn])) as unknown[];
    assert.deepEqual(live, [], "nothing of alice's is valid any more");
    const revoked = (await admin(["ssh", "cert", "list", "--serial", one.serial.toString(), "--all"])) as {
      status: string;
      revocationReason: string;
    }[];
    assert.equal(revoked[0]?.status, "revoked");
    assert.equal(revoked[0]?.revocationReason, "lost laptop");
    const events = (await admin([
      "monitor",
      "activity-log",
      "list",
      "--operation",
      "Ssh/certificates/revoke/action",
    ])) as { resourceId?: string; target?: string }[];
    assert.ok(events.length >= 2, "both revocations are in the activity log");
  });

  it("refuses non-administrators (exit 5) and bad serials (exit 2) with stable codes", async () => {
    const mine = await certificate("mine");
    for (const args of [
      ["ssh", "ca", "rotate", "--step", "announce"],
      ["ssh", "ca", "show"],
      ["ssh", "cert", "revoke", "--serial", mine.serial.toString(), "--yes"],
      ["ssh", "cert", "list"],
    ]) {
      const denied = await cli("alice", args);
      assert.equal(denied.code, 5, `${args.join(" ")}: ${denied.out}${denied.err}`);
      assert.match(denied.err, /ERR_AUTHORIZATION_FAILED/);
    }
    assert.equal((await running.store.certificates.get(mine.serial))?.revokedAt, undefined);
    for (const serial of ["-5", "0", "18446744073709551616", "9223372036854775808", "abc", "12x"]) {
      const bad = await cli("admin", ["ssh", "cert", "revoke", `--serial=${serial}`, "--yes"]);
      assert.equal(bad.code, 2, `${serial}: ${bad.out}${bad.err}`);
      assert.match(bad.err, /ERR_CA_INVALID_SERIAL/, serial);
    }
    const unknown = await cli("admin", ["ssh", "cert", "revoke", "--serial", "77", "--yes"]);
    assert.equal(unknown.code, 3, unknown.err);
    assert.match(unknown.err, /ERR_CA_CERTIFICATE_NOT_FOUND/);
    const neither = await cli("admin", ["ssh", "cert", "revoke", "--yes"]);
    assert.equal(neither.code, 2);
    assert.match(neither.err, /ERR_CLI_USAGE/);
  });

  it("vm session terminate asks the machine's agent to end a principal's sessions (202, Linux names)", async () => {
    assert.equal(
      (await admin(["group", "create", "--name", "LinuxVMs", "--location", "local"])).name,
      "LinuxVMs",
    );
    const created = await admin([
      "vm",
      "create",
      "-g",
      "LinuxVMs",
      "-n",
      "myVM",
      "--image",
      "debian-12",
      "--admin-username",
      "localadmin",
      "--assign-identity",
      "--private-ip-address",
      "10.20.30.40",
    ]);
    assert.match(String(created.joinCommand), /^hostpass-agent join --server https:\/\/\S+ --code \S+/);
    const terminate = (who: "admin" | "alice", vm: string, user: string, extra: string[] = []) =>
      cli(who, ["vm", "session", "terminate", "-g", "LinuxVMs", "-n", vm, "--user", user, "--yes", ...extra]);
    const ended = await terminate("admin", "myVM", alice.upn);
    assert.equal(ended.code, 0, ended.err);
    assert.deepEqual(JSON.parse(ended.out), { linuxNames: [alice.linuxName] });
    const events = (await admin([
      "monitor",
      "activity-log",
      "list",
      "--operation",
      "Compute/virtualMachines/terminateSessions/action",
    ])) as unknown[];
    assert.equal(events.length, 1, "the request is in the activity log");
    const denied = await terminate("alice", "myVM", alice.upn, [
      "--subscription",
      running.bootstrap.subscriptionId,
    ]);
    assert.equal(denied.code, 5, denied.out + denied.err);
    const nobody = await terminate("admin", "myVM", "nobody@hostpass.local");
    assert.equal(nobody.code, 3, nobody.out + nobody.err);
    const noVm = await terminate("admin", "otherVM", alice.upn);
    assert.equal(noVm.code, 3, noVm.out + noVm.err);
  });
});
