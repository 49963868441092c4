/**
 * The host channel end to end (issue 7): a real `hostpass server` and a real `hostpass-agent`
 * inside a local machine (src/localvm: its own network, /etc, sshd, NSS, PAM, sudo), joined with
 * the one-line command `vm create` answered (a real one-time join code, the server's TLS pinned by
 * fingerprint). Real ssh logins with certificates from the server's own user CA: the admin gets a
 * shell and `sudo -n true`, a user a shell without sudo, someone without a login role nothing; a
 * removed role and a disabled user are refused within 5 s while the agent is connected.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { activeCaKey, openCaSigner } from "../../src/ca/index.ts";
import { createUser, type User } from "../../src/directory/index.ts";
import { type LocalMachine, writeMachineService } from "../../src/localvm/index.ts";
import { type RunningServer, startServer } from "../../src/server/index.ts";
import { loadOrCreateKek } from "../../src/server/keys/kek.ts";
import { formatCertificate, formatPrivateKey, type Signer, signCertificate } from "../../src/ssh/index.ts";
import { type ApiCall, servicePrincipalApi } from "../helpers/api-client.ts";
import { type MachineLab, openMachineLab, until } from "../helpers/local-machines.ts";
import { makeTempDir, removeDir, sshLogin, writeSecret } from "../helpers/openssh.ts";
import { nowSeconds, testKeyPair } from "../helpers/ssh-fixtures.ts";

const REPO = join(import.meta.dirname, "../..");

describe("a real agent joined to a real server, in a local machine", () => {
  let dir: string;
  let lab: MachineLab;
  let machine: LocalMachine;
  let running: RunningServer;
  let api: ApiCall;
  let ca: Signer;
  let tenantId: string;
  const people: Record<string, User> = {};
  const assignments: Record<string, string> = {};
  let serial = 77_000n;

  /** A key and a certificate from the server's active user CA, as `hostpass ssh cert` would get. */
  const credentials = async (u: User) => {
    const pair = testKeyPair("ssh-ed25519", `e2e-${u.linuxName}`);
    const key = await writeSecret(join(dir, `${u.linuxName}_key`), formatPrivateKey(pair.privateKey));
    const now = nowSeconds();
    const cert = signCertificate(
      {
        kind: "user",
        key: pair.publicKey,
        serial: serial++,
        keyId: `${u.id}@${tenantId}`,
        principals: [u.linuxName],
        validAfter: now - 60n,
        validBefore: now + 3600n,
        criticalOptions: {},
        extensions: { "permit-pty": "" },
      },
      ca,
    );
    const certificateFile = join(dir, `${u.linuxName}-cert.pub`);
    await writeFile(certificateFile, formatCertificate(cert));
    return { key, certificateFile };
  };
  const login = async (who: string, command = "id -un") => {
    const u = people[who] as User;
    const { key, certificateFile } = await credentials(u);
    return sshLogin({
      host: machine.address,
      port: 22,
      user: u.linuxName,
      identityFile: key,
      certificateFile,
      command,
    });
  };

  before(async () => {
    dir = await makeTempDir("hostpass-e2e-agent-");
    lab = await openMachineLab();
    running = await startServer({ dataDir: dir, listen: `${lab.network.gateway}:0`, logLevel: "silent" });
    tenantId = running.bootstrap.tenant.id;
    const kek = await loadOrCreateKek(dir);
    ca = openCaSigner(activeCaKey(await running.store.caKeys.list(), "user"), kek);
    api = await servicePrincipalApi(running, dir, "owner", { atRoot: true });
    for (const name of ["alice", "bob", "carol"])
      people[name] = await createUser(running.store.directory, {
        tenantId,
        upn: `${name}@contoso.example`,
        displayName: name,
      });
    const rg = `/subscriptions/${running.bootstrap.subscriptionId}/resourceGroups/LinuxVMs`;
    assert.equal((await api("PUT", rg, { location: "local" })).status, 201);
    const vm = `${rg}/providers/Compute/virtualMachines/myVM`;
    const created = await api("PUT", vm, {
      image: "debian-12",
      adminUsername: "localadmin",
      assignIdentity: true,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const joinCommand = String(created.body.joinCommand);
    const ext = await api("PUT", `${vm}/extensions/SSHLoginForLinux`, {
      publisher: "hostpass",
      type: "SSHLoginForLinux",
    });
    assert.equal(ext.status, 200, JSON.stringify(ext.body));
    const assign = async (role: string, who: string, scope: string) => {
      const id = `${scope}/providers/Authorization/roleAssignments/${randomUUID()}`;
      const r = await api("PUT", id, { role, assignee: (people[who] as User).id });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assignments[who] = id;
    };
    await assign("Virtual Machine Administrator Login", "alice", vm);
    await assign("Virtual Machine User Login", "bob", rg);
    await assign("Owner", "carol", rg);

    machine = await lab.start({
      hostname: "myvm",
      binds: [{ source: REPO, target: "/opt/hostpass", readOnly: true }],
    });
    // the exact line `vm create` answered, with the agent's path in this machine
    const argv = joinCommand.split(" ");
    assert.equal(argv[0], "hostpass-agent");
    const joined = await machine.exec(["/opt/hostpass/bin/hostpass-agent", ...argv.slice(1)], {
      timeoutMs: 60_000,
    });
    assert.equal(joined.code, 0, joined.stderr);
    await writeMachineService(machine.dir, {
      name: "hostpass-agent",
      argv: ["/opt/hostpass/bin/hostpass-agent", "run", "--sshd-log", "file:/var/log/localvm-sshd.log"],
    });
    await machine.startService("hostpass-agent");
  });
  after(async () => {
    if (process.env.AGENT_TEST_DEBUG && machine)
      console.log((await machine.exec(["cat", "/var/log/localvm-hostpass-agent.log"])).stdout.slice(-6000));
    await lab?.close();
    await running?.close();
    await removeDir(dir);
  });

  it("admin role: shell and sudo; user role: shell, no sudo; Owner only: refused", async () => {
    await until("alice can log in", async () => (await login("alice")).code === 0, 30_000);
    const admin = await login("alice", "sudo -n true && echo SUDO-OK");
    assert.equal(admin.stdout.trim(), "SUDO-OK", admin.stderr);
    const user = await login("bob", "id -un; sudo -n true && echo SUDO-OK || echo NO-SUDO");
    assert.equal(user.code, 0, user.stderr);
    assert.deepEqual(user.stdout.trim().split("\n"), [(people.bob as User).linuxName, "NO-SUDO"]);
    assert.notEqual((await login("carol")).code, 0);
  });

  it("every attempt the host saw is in the sign-in log with the machine", async () => {
    const alice = people.alice as User;
    await until(
      "alice's login reported",
      async () => {
        const r = await api("GET", `/auditLogs/signIns?userId=${alice.id}&appId=hostpass-host-login`);
        return ((r.body.value as unknown[] | undefined) ?? []).length > 0;
      },
      20_000,
    );
  });

  it("a removed role and a disabled user are refused within 5 s while the agent is connected", async () => {
    assert.equal((await login("bob")).code, 0);
    let started = performance.now();
    assert.equal((await api("DELETE", assignments.bob as string)).status, 200);
    await until("bob refused", async () => (await login("bob")).code !== 0, 5000);
    const roleMs = performance.now() - started;
    assert.equal((await login("alice")).code, 0);
    started = performance.now();
    const disabled = await api("PATCH", `/directory/users/${(people.alice as User).id}`, {
      accountEnabled: false,
    });
    assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
    await until("alice refused", async () => (await login("alice")).code !== 0, 5000);
    const disableMs = performance.now() - started;
    console.log(
      `# role removed -> refused ${roleMs.toFixed(0)} ms; user disabled -> refused ${disableMs.toFixed(0)} ms`,
    );
    assert.ok(roleMs < 5000 && disableMs < 5000);
  });
});
