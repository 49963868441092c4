/**
 * The local provider of `hostpass server --local-machines` joins each machine's host agent to the
 * service through the public URL (the gateway relay), with a join code the service makes for that
 * machine and its TLS certificate pinned by fingerprint, and runs `hostpass-agent run` as the
 * machine's service: started again with the machine, re-joined (new key) when a managed identity is
 * assigned, left out while the machine has none. The service here is the stand-in of the host
 * channel (test/agent/helpers/stand-in-service.ts) behind the real relay; the real service's side is
 * walked in quickstart.test.ts and test/e2e/seed-local.test.ts.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  AGENT_SERVICE,
  agentJoined,
  findMachineTraces,
  GATEWAY_ADDRESS,
  type LocalMachine,
  machineAgentLog,
} from "../../src/localvm/index.ts";
import { type LocalMachines, wireLocalMachines } from "../../src/server/wire-local-machines.ts";
import {
  BUSY_CODE,
  JOIN_CODE,
  NO_IDENTITY_CODE,
  type StandIn,
  startStandIn,
} from "../agent/helpers/stand-in-service.ts";
import { makeTempDir, removeDir } from "../helpers/openssh.ts";

const VM =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Compute/virtualMachines/vm1";

describe("local machines get their host agent joined and running", () => {
  let dir: string;
  let service: StandIn;
  let local: LocalMachines;
  let code = NO_IDENTITY_CODE;
  /** Codes handed out before `code` (one per join attempt). */
  const firstCodes: string[] = [];
  const asked: string[] = [];
  const failures: { exitCode: number; willRetry: boolean; message: string }[] = [];

  const streamsSoFar = () => service.streamRequests.length;
  const waitForStream = (count: number) =>
    service.waitFor(() => service.streamRequests.length > count || undefined, 30_000);

  before(async () => {
    dir = await makeTempDir("hostpass-machine-agent-");
    // As in `hostpass server --local-machines`: the service on loopback, the relay on the gateway
    // address (same port), the URL the machines use names the gateway.
    service = await startStandIn(join(dir, "service"), GATEWAY_ADDRESS, { host: "127.0.0.1" });
    const port = Number(new URL(service.url).port);
    local = await wireLocalMachines(join(dir, "data"), { port });
    assert.equal(local.publicUrl, service.url);
    local.listening(
      { host: "127.0.0.1", port },
      {
        joinCode: async (id) => {
          asked.push(id);
          return firstCodes.shift() ?? code;
        },
        tlsFingerprint: service.fingerprint,
        joinFailed: (_id, error, willRetry) =>
          failures.push({ exitCode: error.exitCode, willRetry, message: error.message }),
      },
    );
  });
  after(async () => {
    await local?.close();
    await local?.provider.destroyAll();
    await service?.close();
    await removeDir(dir);
  });

  it("a machine without a managed identity runs, without an agent, until the identity is assigned", async () => {
    const { privateIp } = await local.machineHost.start({
      machineId: VM,
      hostname: "vm1",
      adminUsername: "localadmin",
      adminPublicKeys: [],
    });
    const machine = (await local.provider.get(VM)) as LocalMachine;
    assert.equal(machine.address, privateIp);
    assert.deepEqual(asked, [VM], "the service was asked for a code for this machine");
    assert.equal(await agentJoined(machine), false);
    await assert.rejects(readFile(join(machine.dir, "etc", "localvm", "services", AGENT_SERVICE)), {
      code: "ENOENT",
    });

    code = JOIN_CODE;
    const before = streamsSoFar();
    await local.machineHost.identityAssigned?.(VM);
    assert.equal(await agentJoined(machine), true);
    await waitForStream(before).catch(async (error) => {
      throw new Error(`${error}\n${await machineAgentLog(machine)}`);
    });
    const status = await machine.exec(["/opt/hostpass/bin/hostpass-agent", "status"], { timeoutMs: 60_000 });
    assert.equal(JSON.parse(status.stdout).joined, true, status.stderr);
    // The agent pinned the service's certificate it was given the fingerprint of.
    const pinned = await readFile(join(machine.dir, "var", "lib", "hostpass-agent", "server-ca.pem"), "utf8");
    assert.equal(pinned.trim(), service.caPem.trim());
  });

  it("a join the service cannot take just then is tried again with a new code; one it refuses fails with the agent's reason and keeps the working join", async () => {
    const machine = (await local.provider.get(VM)) as LocalMachine;
    const stateFile = (name: string) =>
      readFile(join(machine.dir, "var", "lib", "hostpass-agent", name), "utf8");
    const joinedKey = await stateFile("agent-key.pem");
    asked.length = 0;
    firstCodes.push(BUSY_CODE);
    await local.machineHost.identityAssigned?.(VM);
    assert.equal(asked.length, 2, "a second code after the service's 503");
    assert.deepEqual(
      failures.map((f) => [f.exitCode, f.willRetry]),
      [[8, true]],
    );
    assert.match(failures[0]?.message ?? "", /\(ERR_STORE_UNAVAILABLE\)/);
    const rejoinedKey = await stateFile("agent-key.pem");
    assert.notEqual(rejoinedKey, joinedKey, "joined again: a new key");

    asked.length = 0;
    failures.length = 0;
    firstCodes.push("join-code-refused-for-good");
    await assert.rejects(local.machineHost.identityAssigned?.(VM) ?? Promise.resolve(), {
      code: "ERR_LOCALVM_AGENT",
      message:
        /^the agent of vm1 could not join the service: \(ERR_AGENT_JOIN\) the service refused the join: join code refused$/,
    });
    assert.equal(asked.length, 1, "a refusal is not tried again");
    assert.deepEqual(
      failures.map((f) => [f.exitCode, f.willRetry]),
      [[5, false]],
    );
    assert.equal(await stateFile("agent-key.pem"), rejoinedKey, "the working key stays");
  });

  it("the agent starts again with its machine, and goes with it", async () => {
    const machine = (await local.provider.get(VM)) as LocalMachine;
    await machine.stop();
    const before = streamsSoFar();
    const [state] = await local.provider.resume();
    assert.equal(state?.running, true);
    await waitForStream(before);
    const resumed = (await local.provider.get(VM)) as LocalMachine;
    await local.machineHost.remove(VM);
    assert.deepEqual(await findMachineTraces(resumed.dir, resumed.record), {
      init: false,
      processes: [],
      link: false,
      mounts: [],
      dir: false,
    });
  });
});
