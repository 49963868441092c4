/**
 * `hostpass ssh vm`'s fast path (bin/hostpass without Node, src/cli/session/fast-path.ts) end to
 * end: the real CLI process against a real server and the stand-in host's real sshd. Which path ran
 * is what bin/hostpass says under HOSTPASS_DEBUG_FASTPATH; what ssh was given is logged by an `ssh`
 * earlier in PATH that records its arguments and then runs the real one.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmod, chown, lstat, readFile, rename, symlink, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { BUILT_IN_ROLE_IDS } from "../../src/rbac/index.ts";
import { type CliServer, startCliServer } from "../helpers/cli-server.ts";
import { type Bot, botWithSecret, grantRole, loopbackMachine } from "../helpers/login-fixture.ts";
import { type StandInHost, startStandInHost } from "../helpers/stand-in-host.ts";

const run = promisify(execFile);
const BIN = new URL("../../bin/hostpass", import.meta.url).pathname;

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe("hostpass ssh vm's fast path (bash, no Node), end to end on a real sshd", () => {
  let s: CliServer;
  let host: StandInHost;
  let bot: Bot;
  let other: Bot;
  let env: NodeJS.ProcessEnv;
  let sshLog: string;
  const fastDir = () => join(s.home, ".hostpass", "fastpath");
  const byName = () => ["ssh", "vm", "-n", "myVM", "-g", "LinuxVMs", "--port", host.port];
  const recordFile = () => join(fastDir(), `vm,LinuxVMs,myVM,${host.port},0`);

  async function hostpass(args: string[]): Promise<Result> {
    try {
      const { stdout, stderr } = await run(BIN, args, { env, timeout: 60_000, encoding: "utf8" });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      if (typeof e.code !== "number") throw error;
      return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
    }
  }
  /** The path bin/hostpass took: "fast path (...)" or "node path (why)". */
  const pathOf = (r: Result) => /^hostpass: (fast path|node path)(?: \((.*)\))?$/m.exec(r.stderr);
  async function expectPath(args: string[], path: "fast path" | "node path", why?: RegExp): Promise<Result> {
    const r = await hostpass(args);
    const taken = pathOf(r);
    assert.equal(taken?.[1], path, r.stderr);
    if (why) assert.match(taken?.[2] ?? "", why);
    return r;
  }
  /** ssh's argument vectors since the last call. */
  async function sshCalls(): Promise<string[][]> {
    const text = await readFile(sshLog, "utf8").catch(() => "");
    await writeFile(sshLog, "");
    return text
      .split("--end--\n")
      .filter(Boolean)
      .map((call) => call.split("\n").slice(0, -1));
  }
  const login = async (who: Bot) => {
    const r = await hostpass(who.loginArgs);
    assert.equal(r.code, 0, r.stderr);
  };
  const idOn = (args: string[]) => [...args, "--", "-o", "BatchMode=yes", "id", "-un"];

  before(async () => {
    s = await startCliServer();
    bot = await botWithSecret(s.running, "fast path bot");
    other = await botWithSecret(s.running, "other bot");
    const vm = await loopbackMachine(s.running, "LinuxVMs", "myVM");
    await grantRole(s.running, bot.sp, vm);
    await grantRole(s.running, other.sp, vm);
    // Reader on the subscription: it may list the VMs, so `--ip` refusals are diagnosed too.
    const subscription = `/subscriptions/${s.running.bootstrap.subscriptionId}`;
    await grantRole(s.running, bot.sp, subscription, BUILT_IN_ROLE_IDS.reader);
    host = await startStandInHost(s.running, s.dataDir, [bot.sp.linuxName, other.sp.linuxName]);
    // An ssh that logs its arguments, then runs the real one (both paths find ssh on PATH).
    const bin = join(s.home, "bin");
    sshLog = join(s.home, "ssh.log");
    await run("mkdir", ["-p", bin]);
    const realSsh = (await run("sh", ["-c", "command -v ssh"], { encoding: "utf8" })).stdout.trim();
    await writeFile(
      join(bin, "ssh"),
      `#!/bin/sh\nprintf '%s\\n' "$@" --end-- >> '${sshLog}'\nexec '${realSsh}' "$@"\n`,
      { mode: 0o755 },
    );
    env = { ...s.env, PATH: `${bin}:${process.env.PATH}`, HOSTPASS_DEBUG_FASTPATH: "1" };
    await login(bot);
  });

  after(async () => {
    await host?.stop();
    await s?.close();
  });

  it("a Node run that got in leaves a 0600 record; the next run takes the fast path with the same ssh arguments", async () => {
    const first = await expectPath(idOn(byName()), "node path", /no record/);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout.trim(), bot.sp.linuxName);
    const record = await lstat(recordFile());
    assert.ok(record.isFile());
    assert.equal(record.mode & 0o777, 0o600);
    assert.equal((await lstat(fastDir())).mode & 0o777, 0o700);
    const second = await expectPath(idOn(byName()), "fast path");
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout.trim(), bot.sp.linuxName);
    const [nodeArgs, fastArgs, ...more] = await sshCalls();
    assert.equal(more.length, 0);
    assert.deepEqual(fastArgs, nodeArgs);
    assert.ok(nodeArgs?.includes("IdentitiesOnly=yes") && nodeArgs.includes("-i"), nodeArgs?.join(" "));
    // An address nothing answers fails in seconds instead of the kernel's TCP timeout.
    assert.ok(nodeArgs?.includes("ConnectTimeout=15"), nodeArgs?.join(" "));
  });

  it("--ip too; ssh's exit status and everything after -- are passed through", async () => {
    const byIp = ["ssh", "vm", "--ip", "127.0.0.1", "--port", host.port];
    assert.equal((await expectPath(idOn(byIp), "node path", /no record/)).code, 0);
    const echo = await expectPath([...byIp, "--", "-o", "BatchMode=yes", "echo", "a  b", "-x"], "fast path");
    assert.equal(echo.stdout, "a b -x\n");
    const seven = await expectPath([...byIp, "--", "-o", "BatchMode=yes", "exit", "7"], "fast path");
    assert.equal(seven.code, 7, seven.stderr);
    const calls = await sshCalls();
    assert.deepEqual(calls.at(-1)?.slice(-4), ["-o", "BatchMode=yes", "exit", "7"]);
  });

  /** A record from a Node run, then proof the fast path takes it. */
  async function freshRecord(): Promise<string> {
    await unlink(recordFile()).catch(() => undefined);
    assert.equal((await expectPath(idOn(byName()), "node path")).code, 0);
    assert.equal((await expectPath(idOn(byName()), "fast path")).code, 0);
    await sshCalls();
    return readFile(recordFile(), "utf8");
  }
  const edit = async (change: (text: string) => string) => {
    const text = await readFile(recordFile(), "utf8");
    await writeFile(recordFile(), change(text)); // same file: owner and 0600 kept
  };

  it("any other flag, another spelling or another target runs Node", async () => {
    await freshRecord();
    for (const [args, why] of [
      [[...byName(), "--prefer-private-ip"], /no record/],
      [["ssh", "vm", "--name=myVM", "-g", "LinuxVMs", "--port", host.port], /argument --name=myVM/],
      [[...byName(), "-i", join(s.home, "id")], /argument -i/],
      [[...byName(), "--jump", "127.0.0.1"], /argument --jump/],
      [[...byName(), "--local-user", "localadmin"], /argument --local-user/],
      [[...byName(), "-n", "myVM"], /-n given twice/],
      [["ssh", "vm", "-n", "myVM", "-g", "LinuxVMs", "--port", "0"], /--port given twice or its value/],
      [["ssh", "vm", "--ip", "127.0.0.1", "-g", "LinuxVMs", "--port", host.port], /target/],
    ] as const) {
      await expectPath([...args, "--", "-o", "BatchMode=yes", "true"], "node path", why);
    }
    // Global flags come first, so bin/hostpass does not even look: Node, and it says nothing.
    const debug = await hostpass(["--only-show-errors", ...idOn(byName())]);
    assert.equal(pathOf(debug), null, debug.stderr);
    assert.equal(debug.code, 0, debug.stderr);
  });

  it("the record's times: made with the renewal margin; near expiry (or an address to check again) runs Node", async () => {
    const text = await freshRecord();
    const field = (name: string) => Number(new RegExp(`^${name}=(\\d+)$`, "m").exec(text)?.[1]);
    const now = Math.floor(Date.now() / 1000);
    assert.ok(field("valid_before") > now + 3000, text);
    // -n -g names an address the service gave: asked again within 10 minutes.
    assert.ok(field("usable_until") <= now + 600 && field("usable_until") > now + 500, text);
    for (const [until, before] of [
      [now + 1, now + 31], // within the 30 s margin of its end
      [now - 5, field("valid_before")], // the address is due to be checked
    ]) {
      await edit((t) =>
        t
          .replace(/^usable_until=\d+$/m, `usable_until=${until}`)
          .replace(/^valid_before=\d+$/m, `valid_before=${before}`),
      );
      await new Promise((r) => setTimeout(r, 1100));
      const r = await expectPath(idOn(byName()), "node path", /near expiry or address to check again/);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await expectPath(idOn(byName()), "fast path")).code, 0, "the Node run wrote a new one");
    }
  });

  it("a tampered record runs Node, which writes a good one", async () => {
    for (const [change, why] of [
      [(t: string) => t.replace(/^generation=.*$/m, `generation=${"0".repeat(32)}`), /another generation/],
      [(t: string) => t.replace(/\/id_ed25519$/m, "/../id_ed25519"), /key files/],
      [(t: string) => t.replace(/^arg=-i\n/m, ""), /key files/],
      [(t: string) => t.replace(/^name=myVM$/m, "name=otherVM"), /other arguments/],
      [(t: string) => t.replace(/^home=.*$/m, "home=/root"), /another HOME/],
      [(t: string) => t.replace(/^end\n/m, ""), /format/],
      [(t: string) => `${t}arg=-oProxyCommand=sh\n`, /after its end/],
      [(t: string) => t.replace(/^cloud=/m, "cloud=x\ncloud="), /field cloud/],
      [(t: string) => t.replace(/^usable_until=/m, "usable_until=0"), /times/],
      [(t: string) => t.replace(/^hostpass-fastpath 1$/m, "hostpass-fastpath 2"), /format/],
    ] as const) {
      await edit(change);
      const r = await expectPath(idOn(byName()), "node path", why);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await expectPath(idOn(byName()), "fast path")).code, 0);
    }
  });

  it("a record that is a symlink, another user's, or open to others (or in an open folder) is not used", async () => {
    const cases: [string, () => Promise<void>, RegExp, () => Promise<void>][] = [
      [
        "symlink",
        async () => {
          await rename(recordFile(), `${recordFile()}.real`);
          await symlink(`${recordFile()}.real`, recordFile());
        },
        /no record/,
        () => unlink(`${recordFile()}.real`),
      ],
      ["0644", () => chmod(recordFile(), 0o644), /open to others/, async () => {}],
      [
        "folder 0755",
        () => chmod(fastDir(), 0o755),
        /fastpath open to others/,
        () => chmod(fastDir(), 0o700),
      ],
      [
        "generation 0640",
        () => chmod(join(fastDir(), "generation"), 0o640),
        /generation open to others/,
        () => chmod(join(fastDir(), "generation"), 0o600),
      ],
    ];
    if (process.getuid?.() === 0)
      cases.push(["another owner", () => chown(recordFile(), 65534, 65534), /no record/, async () => {}]);
    for (const [what, spoil, why, repair] of cases) {
      await freshRecord();
      await spoil();
      const r = await expectPath(idOn(byName()), "node path", why);
      assert.equal(r.code, 0, `${what}: ${r.stderr}`);
      await repair();
      // The Node run replaced it with a good record of its own.
      assert.equal((await expectPath(idOn(byName()), "fast path")).code, 0, what);
    }
  });

  it("refused on the fast path (by name or --ip): the record goes and Node says why, as its own run would", async () => {
    const byIp = ["ssh", "vm", "--ip", "127.0.0.1", "--port", host.port];
    const ipRecord = join(fastDir(), `ip,127.0.0.1,${host.port},0`);
    await freshRecord();
    assert.equal((await hostpass(idOn(byIp))).code, 0);
    await sshCalls();
    const admitted = join(host.dir, "principals", bot.sp.linuxName);
    await rename(admitted, `${admitted}.off`);
    try {
      for (const [args, file] of [
        [byName(), recordFile()],
        [byIp, ipRecord], // --ip: the one VM with that address is diagnosed
      ] as const) {
        const r = await expectPath(idOn(args), "fast path");
        // The stand-in machine has no managed identity: the seed's explanation for that (exit 6).
        assert.match(
          r.stderr,
          /ERR_LOGIN_NOT_ENABLED\) The system-assigned managed identity of myVM is disabled/,
        );
        assert.equal(r.code, 6, r.stderr);
        await assert.rejects(lstat(file), { code: "ENOENT" });
        const again = await expectPath(idOn(args), "node path", /no record/);
        assert.equal(again.code, 6, again.stderr);
        await assert.rejects(lstat(file), { code: "ENOENT" }, "a refused Node run leaves none either");
      }
      assert.equal((await sshCalls()).length, 4, "ssh ran once per run, never again for the diagnosis");
    } finally {
      await rename(`${admitted}.off`, admitted);
    }
  });

  it("cloud set, account set, login as someone else and logout: no record made before is used", async () => {
    await freshRecord();
    assert.equal((await hostpass(["cloud", "set", "-n", "test"])).code, 0);
    await expectPath(idOn(byName()), "node path", /another generation/);
    await expectPath(idOn(byName()), "fast path");
    const subscription = s.running.bootstrap.subscriptionId;
    assert.equal((await hostpass(["account", "set", "--subscription", subscription])).code, 0);
    await expectPath(idOn(byName()), "node path", /another generation/);
    await expectPath(idOn(byName()), "fast path");
    await sshCalls();
    // Another identity signs in: its own key and name, never the record's.
    await login(other);
    const asOther = await expectPath(idOn(byName()), "node path", /another generation/);
    assert.equal(asOther.stdout.trim(), other.sp.linuxName, asOther.stderr);
    const fast = await expectPath(idOn(byName()), "fast path");
    assert.equal(fast.stdout.trim(), other.sp.linuxName);
    const [nodeArgs, fastArgs] = await sshCalls();
    assert.deepEqual(fastArgs, nodeArgs);
    assert.ok(
      nodeArgs?.some((a) => a.includes(other.sp.id)),
      "the other identity's keys folder",
    );
    assert.ok(!nodeArgs?.some((a) => a.includes(bot.sp.id)));
    assert.equal((await hostpass(["logout"])).code, 0);
    const out = await expectPath(idOn(byName()), "node path", /another generation|no record/);
    assert.equal(out.code, 4, out.stderr);
    assert.match(out.stderr, /run `hostpass login`/);
    assert.deepEqual(await sshCalls(), [], "no ssh was run");
  });
});
