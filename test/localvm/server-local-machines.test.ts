/**
 * `hostpass server --local-machines` through its HTTPS API (reached through the machines' gateway
 * relay, as agents reach it): `PUT …/virtualMachines/{name}` starts a real machine whose admin logs
 * in with real ssh; a machine that cannot start is not registered; machines outlive a restart of the
 * service and are adopted by the next one; `DELETE` leaves nothing behind.
 */
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { localCloud } from "../../src/cli/session/clouds.ts";
import { findMachineTraces, LocalMachineProvider } from "../../src/localvm/index.ts";
import { type RunningServer, startServer } from "../../src/server/index.ts";
import { type ApiCall, servicePrincipalApi } from "../helpers/api-client.ts";
import { makeUserKey } from "../helpers/local-machines.ts";
import { makeTempDir, removeDir, sshLogin } from "../helpers/openssh.ts";
import { tempDir } from "../server/helpers.ts";

describe("hostpass server --local-machines", () => {
  let dataDir: string;
  let keys: string;
  let running: RunningServer | undefined;
  let rg: string;
  /** The API as a service principal with Contributor on the subscription (through the gateway relay). */
  let call: ApiCall;

  const start = () =>
    startServer({
      dataDir,
      listen: "127.0.0.1:0",
      localMachines: {},
      adminPassword: "admin password 42",
      logLevel: "silent",
    });

  before(async () => {
    dataDir = await tempDir("hostpass-local-server-");
    keys = await makeTempDir();
    running = await start();
    call = await servicePrincipalApi(running, dataDir);
    const { subscriptionId } = running.bootstrap;
    rg = `/subscriptions/${subscriptionId}/resourceGroups/LinuxVMs`;
    assert.equal((await call("PUT", rg, { location: "local" })).status, 201);
  });
  after(async () => {
    await running?.close();
    await (await LocalMachineProvider.open(join(dataDir, "machines"))).destroyAll();
    await rm(dataDir, { recursive: true, force: true });
    await removeDir(keys);
  });

  it("answers at its gateway address, and vm create starts a machine its admin logs in to", async () => {
    assert.match(running?.publicUrl ?? "", /^https:\/\/10\.213\.\d+\.1:\d+$/);
    // The CLI's built-in `local` cloud on this machine takes that URL from the data directory
    // (a sign-in against 127.0.0.1 would meet another issuer).
    assert.equal(localCloud(dataDir).endpoint, running?.publicUrl);
    assert.equal(localCloud(dataDir).caFile, join(dataDir, "tls", "server-cert.pem"));
    const admin = await makeUserKey(keys);
    const vm = `${rg}/providers/Compute/virtualMachines/myVM`;
    const created = await call("PUT", vm, {
      image: "debian-12",
      adminUsername: "localadmin",
      assignIdentity: true,
      adminSshPublicKey: admin.publicLine,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    // Started by the machine host: running, though its agent has not connected yet (trial finding:
    // `vm create` said "agent unknown").
    assert.equal(created.body.powerState, "VM running");
    const address = created.body.privateIps as string;
    assert.match(address, /^10\.213\.\d+\.\d+$/);
    const login = await sshLogin({
      host: address,
      port: 22,
      user: "localadmin",
      identityFile: admin.key,
      command: "hostname; sudo -n true && echo sudo-ok",
    });
    assert.equal(login.code, 0, login.stderr);
    assert.equal(login.stdout, "myVM\nsudo-ok\n");

    // A restart of the service: the machine keeps running and the next service adopts it.
    const before = await running?.localMachines?.provider.get(vm);
    const publicUrl = running?.publicUrl;
    await running?.close();
    running = undefined;
    assert.equal(await before?.isRunning(), true, "the machine outlives the service");
    running = await start();
    assert.equal(
      running.publicUrl,
      publicUrl,
      "the same public URL (issuer, agents' service address), so tokens stay valid",
    );
    const adopted = await running.localMachines?.provider.get(vm);
    assert.equal(adopted?.record.init.pid, before?.record.init.pid);
    assert.equal((await call("GET", vm)).body.privateIps, address);

    const deleted = await call("DELETE", vm);
    assert.equal(deleted.status, 204);
    assert.equal((await call("GET", vm)).status, 404);
    assert.ok(before);
    assert.deepEqual(await findMachineTraces(before.dir, before.record), {
      init: false,
      processes: [],
      link: false,
      mounts: [],
      dir: false,
    });
  });

  it("starts every scale-set instance with the set's admin key, and vmss delete removes them all", async () => {
    const admin = await makeUserKey(keys, "vmss_key");
    const set = `${rg}/providers/Compute/virtualMachineScaleSets/myVMSS`;
    const created = await call("PUT", set, {
      image: "debian-12",
      adminUsername: "azureuser",
      adminSshPublicKey: admin.publicLine,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.privateIps, "", "a scale set itself runs nowhere");
    const instances = await Promise.all([0, 1, 2].map((i) => call("PUT", `${set}/virtualMachines/${i}`, {})));
    const addresses = instances.map((reply) => {
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      return reply.body.privateIps as string;
    });
    assert.equal(new Set(addresses).size, 3);
    for (const [i, address] of addresses.entries()) {
      const login = await sshLogin({
        host: address,
        port: 22,
        user: "azureuser",
        identityFile: admin.key,
        command: "hostname",
      });
      assert.equal(login.code, 0, login.stderr);
      assert.equal(login.stdout, `myVMSS00000${i}\n`);
    }
    const machines = await Promise.all(
      [0, 1, 2].map((i) => running?.localMachines?.provider.get(`${set}/virtualMachines/${i}`)),
    );
    assert.equal((await call("DELETE", set)).status, 204);
    for (const machine of machines) {
      assert.ok(machine);
      const traces = await findMachineTraces(machine.dir, machine.record);
      assert.deepEqual(traces, { init: false, processes: [], link: false, mounts: [], dir: false });
    }
  });

  it("registers nothing when the machine cannot be made", async () => {
    const refused = [
      [
        { image: "debian-12", adminUsername: "localadmin", adminSshPublicKey: "ssh-ed25519 not-base64!" },
        "ERR_RESOURCE_INVALID_INPUT",
      ],
      // a system account of the image (scripts/setup.sh installs PostgreSQL): the machine refuses it
      [{ image: "debian-12", adminUsername: "postgres", assignIdentity: true }, "ERR_LOCALVM_SPEC"],
    ] as const;
    for (const [body, code] of refused) {
      const vm = `${rg}/providers/Compute/virtualMachines/refused`;
      const reply = await call("PUT", vm, body);
      assert.equal(reply.status, 400, JSON.stringify(reply.body));
      assert.equal(reply.body.error?.code, code);
      assert.equal((await call("GET", vm)).status, 404, "not registered");
    }
    assert.deepEqual(await running?.localMachines?.provider.list(), []);
  });
});
