/**
 * `hostpass vm extension set` on a machine whose host agent has joined: the service answers
 * Creating, the CLI shows that and waits, and the agent's report (the agent's own client code,
 * against a real server) ends the wait: Succeeded prints the extension, Failed is ERR_EXTENSION_FAILED.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ServiceClient } from "../../src/agent/service-client.ts";
import { BUILT_IN_ROLE_IDS } from "../../src/rbac/index.ts";
import { type RunningServer, startServer } from "../../src/server/index.ts";
import type { ScratchHost } from "../agent/helpers/scratch-host.ts";
import { runCliCaptured } from "../helpers/cli.ts";
import { botWithSecret, grantRole, joinedAgent } from "../helpers/login-fixture.ts";
import { makeTempDir, removeDir } from "../helpers/openssh.ts";

describe("vm extension set waits for the host agent's report", () => {
  let dir: string;
  let running: RunningServer;
  let host: ScratchHost;
  let agent: ServiceClient;
  let env: NodeJS.ProcessEnv;
  const cli = (args: string[], onStderr?: (text: string) => void) => runCliCaptured(args, env, onStderr);
  const set = ["vm", "extension", "set", "-n", "SSHLoginForLinux", "-g", "LinuxVMs", "--vm-name", "vmA"];

  /** Runs `extension set`; once it has said Creating, the agent reports `state`. */
  async function setAndReport(state: "Succeeded" | "Failed") {
    let reported: Promise<void> | undefined;
    const r = await cli(set, (err) => {
      if (reported || !err.includes("SSHLoginForLinux on vmA: Creating\n")) return;
      reported = agent.postReports([
        { type: "extension", at: Date.now(), name: "SSHLoginForLinux", provisioningState: state },
      ]);
    });
    await reported;
    return { ...r, reported: reported !== undefined };
  }

  before(async () => {
    dir = await makeTempDir("hostpass-extension-wait-");
    running = await startServer({ dataDir: dir, listen: "127.0.0.1:0", logLevel: "silent" });
    const caFile = join(dir, "tls", "server-cert.pem");
    env = { ...process.env, HOME: dir, HOSTPASS_CONFIG_DIR: join(dir, "cli") };
    const bot = await botWithSecret(running, "extension bot");
    await grantRole(
      running,
      bot.sp,
      `/subscriptions/${running.bootstrap.subscriptionId}`,
      BUILT_IN_ROLE_IDS.owner,
    );
    for (const args of [
      ["cloud", "register", "-n", "test", "--endpoint", running.url, "--ca-file", caFile],
      ["cloud", "set", "-n", "test"],
      bot.loginArgs,
      ["group", "create", "-n", "LinuxVMs", "-l", "local"],
    ]) {
      const r = await cli(args);
      assert.equal(r.code, 0, r.err);
    }
    const vm = await cli(
      "vm create -g LinuxVMs -n vmA --image debian-12 --admin-username localadmin --assign-identity".split(
        " ",
      ),
    );
    assert.equal(vm.code, 0, vm.err);
    const code = /--code (\S+)/.exec(JSON.parse(vm.out).joinCommand as string)?.[1] as string;
    // The machine's agent joins (its own key, in a scratch root), as `hostpass-agent join` does.
    ({ host, client: agent } = await joinedAgent(running, code, caFile));
  });

  after(async () => {
    await running?.close();
    if (host) await removeDir(host.root);
    if (dir) await removeDir(dir);
  });

  it("Creating is shown, then the agent's Succeeded ends the wait", async () => {
    const r = await setAndReport("Succeeded");
    assert.ok(r.reported, `no Creating shown: ${r.err}`);
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out).provisioningState, "Succeeded");
  });

  it("removed and set again, the agent's Failed: ERR_EXTENSION_FAILED with its exit status", async () => {
    const removed = await cli(["vm", "extension", "delete", ...set.slice(3)]);
    assert.equal(removed.code, 0, removed.err);
    const r = await setAndReport("Failed");
    assert.ok(r.reported, `no Creating shown: ${r.err}`);
    assert.match(r.err, /ERR_EXTENSION_FAILED\) SSHLoginForLinux failed to provision on vmA/);
    assert.equal(r.code, 6, r.err);
  });
});
