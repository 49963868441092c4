/**
 * The local machine provider for real: machines kept in one directory on one network, found again
 * by a new provider (a restart of the service), started again after a "reboot" (their init killed
 * and the bridge gone) with the same address, host keys and disk; and the gateway relay through
 * which machines reach a service that listens on loopback.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  destroyNetwork,
  findMachineTraces,
  LocalMachineProvider,
  startGatewayRelay,
} from "../../src/localvm/index.ts";
import { openMachineLab } from "../helpers/local-machines.ts";
import { exec } from "../helpers/openssh.ts";

const VM1 =
  "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/LinuxVMs/providers/Compute/virtualMachines/myVM";
const VM2 =
  "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/LinuxVMs/providers/Compute/virtualMachines/other";

describe("the local machine provider", () => {
  let root: string;
  let provider: LocalMachineProvider | undefined;

  before(async () => {
    root = join(await mkdtemp(join(tmpdir(), "hostpass-provider-")), "machines");
  });
  after(async () => {
    const last = provider ?? (await LocalMachineProvider.open(root));
    await last.destroyAll();
    await rm(join(root, ".."), { recursive: true, force: true });
  });

  it("keeps machines across a restart of the service and a reboot of the host, and deletes them without a trace", async () => {
    provider = await LocalMachineProvider.open(root);
    const [one, two] = await Promise.all([
      provider.create({ id: VM1, hostname: "myVM" }),
      provider.create({ id: VM2, hostname: "other" }),
    ]);
    assert.notEqual(one.address, two.address);
    assert.equal(
      (await provider.create({ id: VM1.toUpperCase(), hostname: "myVM" })).address,
      one.address,
      "ids compare case-insensitively; creating again is harmless",
    );
    await one.exec(["sh", "-c", "echo kept > /root/note"]);
    const keys = await one.hostPublicKeys();

    // A restart of the service: a new provider on the same directory adopts the running machines.
    const restarted = await LocalMachineProvider.open(root);
    assert.equal(restarted.network.name, provider.network.name);
    const adopted = await restarted.resume();
    assert.deepEqual(adopted.map((state) => [state.hostname, state.address, state.running]).sort(), [
      ["myVM", one.address, true],
      ["other", two.address, true],
    ]);
    assert.equal(
      one.record.init.pid,
      (await restarted.get(VM1))?.record.init.pid,
      "the same machine, not a new one",
    );

    // A reboot: every machine process and the bridge are gone; the next start brings them back.
    for (const machine of [one, two]) process.kill(machine.record.init.pid, "SIGKILL");
    await destroyNetwork(restarted.network);
    provider = await LocalMachineProvider.open(root);
    const resumed = await provider.resume();
    assert.ok(resumed.every((state) => state.running));
    const back = await provider.get(VM1);
    assert.ok(back);
    if (provider.network.subnet === restarted.network.subnet) {
      assert.equal(back.address, one.address, "the same address on the same subnet");
    } else {
      // Another run took the subnet while it was free (as another service could after a reboot):
      // the machine comes back on the network's new subnet.
      assert.equal(
        back.address.split(".").slice(0, 3).join("."),
        provider.network.subnet.split(".").slice(0, 3).join("."),
      );
    }
    assert.notEqual(back.record.init.pid, one.record.init.pid, "started again");
    assert.deepEqual(await back.hostPublicKeys(), keys);
    assert.equal((await back.exec(["cat", "/root/note"])).stdout, "kept\n");

    assert.equal(await provider.delete(VM1), true);
    assert.deepEqual(await findMachineTraces(back.dir, back.record), {
      init: false,
      processes: [],
      link: false,
      mounts: [],
      dir: false,
    });
    assert.equal(await provider.delete(VM1), false, "deleting twice is harmless");
    assert.deepEqual(
      (await provider.list()).map((state) => state.hostname),
      ["other"],
    );
  });
});

describe("the gateway relay", () => {
  let echo: Server;
  let echoPort: number;

  before(async () => {
    echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    echoPort = (echo.address() as { port: number }).port;
  });
  after(() => new Promise<void>((resolve) => echo.close(() => resolve())));

  it("carries machines' connections to a loopback service and refuses sources outside the subnet", async () => {
    const lab = await openMachineLab();
    const elsewhere = await openMachineLab();
    const relay = await startGatewayRelay({
      gateway: lab.network.gateway,
      subnet: lab.network.subnet,
      port: 0,
    });
    try {
      relay.setTarget({ host: "127.0.0.1", port: echoPort });
      const talk = `exec 3<>/dev/tcp/${lab.network.gateway}/${relay.port} && echo hello >&3 && read -r -t 3 line <&3; echo "got:$line"`;
      const inside = await lab.start({ hostname: "inside" });
      assert.equal((await inside.exec(["bash", "-c", talk])).stdout.trim(), "got:hello");
      const fromHost = await exec("bash", ["-c", talk]);
      assert.equal(
        fromHost.stdout.trim(),
        "got:hello",
        "the host reaches it through the gateway address too",
      );

      // A machine of another network reaches the same gateway address, but not this network's relay.
      const outsider = await elsewhere.start({ hostname: "outsider" });
      assert.equal((await outsider.exec(["bash", "-c", talk])).stdout.trim(), "got:");
    } finally {
      await relay.close();
      await lab.close();
      await elsewhere.close();
    }
  });
});
