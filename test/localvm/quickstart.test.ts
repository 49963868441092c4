/**
 * The quickstart (scripts/quickstart/main.ts, what `bash scripts/quickstart.sh` runs after
 * setup.sh) on a scratch data directory and CLI profile: the service in the background with the
 * local provider, the seed's demo made through the real CLI (sign-ins in headless Chromium), the
 * next command printed; a second run reuses everything; --stop stops service and machine, the next
 * run starts them again; --remove --yes leaves nothing of them.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { findMachineTraces, LocalMachineProvider, type MachineRecord } from "../../src/localvm/index.ts";

const MAIN = new URL("../../scripts/quickstart/main.ts", import.meta.url).pathname;

function quickstart(dataDir: string, userConfig: string, args: string[] = []) {
  return runProcess(process.execPath, [MAIN, "--data-dir", dataDir, "--port", "0", ...args], userConfig);
}

function runProcess(file: string, args: string[], userConfig: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(file, args, {
      env: { ...process.env, HOSTPASS_CONFIG_DIR: userConfig },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

describe("the quickstart", () => {
  let scratch: string;
  let dataDir: string;
  let userConfig: string;

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), "hostpass-quickstart-"));
    dataDir = join(scratch, "data");
    userConfig = join(scratch, "user-cli"); // the CLI makes it 0700
  });
  after(async () => {
    // Whatever a failed test left: the service, then the machines.
    await quickstart(dataDir, userConfig, ["--remove", "--yes"]).catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
  });

  it("refuses an unknown option or a missing value before installing anything (exit 2)", async () => {
    const script = new URL("../../scripts/quickstart.sh", import.meta.url).pathname;
    for (const args of [["--bogus"], ["--port"], ["--data-dir", dataDir, "extra"]]) {
      const r = await runProcess("/bin/bash", [script, ...args], userConfig);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /^quickstart: (unknown option|--port needs a value)/);
      assert.doesNotMatch(r.stdout + r.stderr, /setup:/, "scripts/setup.sh did not run");
    }
  });

  it("--help works on a fresh machine, before setup installed Node (exit 0); --stop there has nothing to stop", async () => {
    // Trial finding: --help exited 127 (node_modules/.bin/node missing). A copy of the script in
    // a folder without node_modules is that fresh clone; PATH without any node either.
    const fresh = join(scratch, "fresh-clone");
    await mkdir(join(fresh, "scripts"), { recursive: true });
    await copyFile(
      new URL("../../scripts/quickstart.sh", import.meta.url),
      join(fresh, "scripts", "quickstart.sh"),
    );
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) =>
        execFile(
          "/bin/bash",
          [join(fresh, "scripts", "quickstart.sh"), ...args],
          { env: { PATH: "/usr/bin:/bin" } },
          (error, stdout, stderr) =>
            error && typeof error.code !== "number"
              ? reject(error)
              : resolve({ code: Number(error?.code ?? 0), stdout, stderr }),
        ),
      );
    for (const help of ["--help", "-h"]) {
      const r = await run([help]);
      assert.equal(r.code, 0, `${help}: ${r.stderr}`);
      assert.match(
        r.stdout,
        /^ {2}bash scripts\/quickstart\.sh --remove --yes {2}remove everything it made$/m,
        help,
      );
      assert.match(r.stdout, /--data-dir DIR/, help);
      assert.equal(r.stderr, "", help);
    }
    const stop = await run(["--stop"]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stderr, /^quickstart: nothing to stop or remove: it has not been set up here/);
  });

  it("makes the demo, prints the next command, reuses it, stops, starts again and removes it all", async () => {
    const first = await quickstart(dataDir, userConfig);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^ {2}\S+\/bin\/hostpass ssh vm -n myVM -g LinuxVMs$/m);
    assert.match(first.stdout, /You are signed in as demo@hostpass\.local/);
    assert.match(first.stderr, /creating the machine myVM/);
    // The printed command, as printed, lands in a shell as the demo user, where sudo works.
    const printed = /^ {2}(\S+\/bin\/hostpass ssh vm -n myVM -g LinuxVMs)$/m.exec(first.stdout)?.[1] ?? "";
    const [bin = "", ...words] = printed.split(" ");
    const onMachine = (command: string[]) =>
      runProcess(bin, [...words, "--", "-o", "BatchMode=yes", ...command], userConfig);
    const who = await onMachine(["id", "-un"]);
    assert.equal(who.code, 0, who.stderr);
    assert.equal(who.stdout, "demo@hostpass.local\n");
    const sudo = await onMachine(["sudo", "-n", "true", "&&", "echo", "sudo-ok"]);
    assert.equal(sudo.code, 0, sudo.stderr);
    assert.equal(sudo.stdout, "sudo-ok\n");
    const account = JSON.parse(await readFile(join(userConfig, "accounts.json"), "utf8").catch(() => "{}"));
    assert.ok(
      JSON.stringify(account).includes("demo@hostpass.local"),
      "your profile holds the demo user's session",
    );

    const provider = await LocalMachineProvider.open(join(dataDir, "machines"));
    const [state] = await provider.list();
    assert.ok(state?.running, "myVM runs");
    const machine = await provider.get(state.id);
    assert.ok(machine);
    const record: MachineRecord = machine.record;

    const second = await quickstart(dataDir, userConfig);
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stderr, /creating|signing/, "a second run reuses what exists");
    assert.match(second.stderr, /service running at/);

    const stopped = await quickstart(dataDir, userConfig, ["--stop"]);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(await machine.isRunning(), false);
    const again = await quickstart(dataDir, userConfig);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /service started/);
    const restarted = await (await LocalMachineProvider.open(join(dataDir, "machines"))).get(state.id);
    assert.equal(await restarted?.isRunning(), true, "the machine is started again with the service");
    assert.equal(restarted?.address, machine.address);
    const afterRestart = await onMachine(["id", "-un"]);
    assert.equal(afterRestart.code, 0, `the agent runs again with the machine: ${afterRestart.stderr}`);
    assert.equal(afterRestart.stdout, "demo@hostpass.local\n");

    const removed = await quickstart(dataDir, userConfig, ["--remove", "--yes"]);
    assert.equal(removed.code, 0, removed.stderr);
    await assert.rejects(readFile(join(dataDir, "quickstart", "server.pid")), { code: "ENOENT" });
    for (const left of [record, restarted?.record]) {
      assert.ok(left);
      assert.deepEqual(await findMachineTraces(machine.dir, left), {
        init: false,
        processes: [],
        link: false,
        mounts: [],
        dir: false,
      });
    }
  });
});
