/**
 * Local networks for real: bridges on private subnets that concurrent runs (other processes) never
 * share, removed without a trace, no host address changed on the way, and the refusal a process
 * without root gets.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";
import {
  createNetwork,
  destroyNetwork,
  ensureGateway,
  type LocalNetwork,
  type LocalNetworkRecord,
} from "../../src/localvm/index.ts";
import { openMachineLab } from "../helpers/local-machines.ts";
import { exec } from "../helpers/openssh.ts";

const localvm = JSON.stringify(new URL("../../src/localvm/index.ts", import.meta.url).href);

/** Another process that makes a network at the same time, and removes it when its stdin closes. */
function otherProcessNetwork(): {
  record: Promise<LocalNetworkRecord>;
  release: () => Promise<number | null>;
} {
  const script = `
    import { createNetwork, destroyNetwork } from ${localvm};
    const network = await createNetwork();
    console.log(JSON.stringify(network));
    process.stdin.resume();
    await new Promise((resolve) => process.stdin.once("end", resolve));
    await destroyNetwork(network);`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const record = new Promise<LocalNetworkRecord>((resolve, reject) => {
    child.stdout.setEncoding("utf8").once("data", (line: string) => resolve(JSON.parse(line)));
    child.once("exit", (code) => reject(new Error(`the other process exited with ${code}`)));
  });
  return {
    record,
    release: async () => {
      child.stdin.end();
      const [code] = await once(child, "exit");
      return code as number | null;
    },
  };
}

describe("local networks", () => {
  it("get distinct subnets when made concurrently, here and in another process, and leave nothing", async () => {
    const other = otherProcessNetwork();
    const ours: LocalNetwork[] = [];
    try {
      const results = await Promise.allSettled([createNetwork(), createNetwork(), createNetwork()]);
      for (const result of results) if (result.status === "fulfilled") ours.push(result.value);
      assert.equal(ours.length, 3, String(results.find((result) => result.status === "rejected")?.reason));
      const all = [...ours.map((network) => network.toJSON()), await other.record];
      assert.equal(new Set(all.map((network) => network.subnet)).size, 4, JSON.stringify(all));
      for (const network of all) {
        assert.match(network.subnet, /^10\.213\.\d+\.0\/24$/);
        const routes = await exec("ip", ["-4", "-o", "route", "show", "dev", network.name]);
        assert.match(
          routes.stdout,
          new RegExp(`^${network.subnet.replaceAll(".", "\\.")} .*src 10\\.213\\.255\\.1`),
        );
        assert.equal(
          (await exec("ip", ["-o", "addr", "show", "dev", network.name])).stdout,
          "",
          "no address",
        );
      }
    } finally {
      for (const network of ours) await destroyNetwork(network);
      assert.equal(await other.release(), 0);
    }
    for (const network of ours) {
      assert.notEqual(
        (await exec("ip", ["link", "show", "dev", network.name])).code,
        0,
        `${network.name} is gone`,
      );
    }
  });

  it("add or remove no address on the host while networks and machines come and go", async () => {
    // Chromium aborts every request in flight (ERR_NETWORK_CHANGED) when a host address changes.
    await ensureGateway();
    const monitor = spawn("ip", ["-o", "monitor", "address"], { stdio: ["ignore", "pipe", "inherit"] });
    let events = "";
    monitor.stdout.setEncoding("utf8").on("data", (chunk: string) => (events += chunk));
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const lab = await openMachineLab();
      await lab.start({ hostname: "quiet" });
      await lab.close();
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      monitor.kill();
      await once(monitor, "exit");
    }
    assert.equal(events, "");
  });

  it("refuses a process without root with ERR_LOCALVM_UNSUPPORTED", async () => {
    // Loaded as root (the sources may be in a directory only root reads), then run as nobody.
    const script = `
      import { createNetwork } from ${localvm};
      process.setgid(65534);
      process.setuid(65534);
      try { await createNetwork(); console.log("created"); }
      catch (error) { console.log(error.code, error.message); }`;
    const result = await exec(process.execPath, ["--input-type=module", "-e", script]);
    assert.match(result.stdout, /^ERR_LOCALVM_UNSUPPORTED local machines need root/);
  });
});
