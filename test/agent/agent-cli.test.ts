/** `hostpass-agent`'s command line: output, exit codes (the seed's 22 and 23), help with examples. */
import assert from "node:assert/strict";
import { access, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { after, before, describe, it } from "node:test";
import { runAgentCli } from "../../src/agent/main.ts";
import { makeTempDir, removeDir } from "../helpers/openssh.ts";
import { hostState, krlBytes, login } from "./helpers/host-state-fixture.ts";
import { makeScratchHost, type ScratchHost } from "./helpers/scratch-host.ts";

async function agent(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => {
    out += c.toString();
  });
  stderr.on("data", (c: Buffer) => {
    err += c.toString();
  });
  const code = await runAgentCli(argv, { stdout, stderr, signal: new AbortController().signal });
  return { code, stdout: out, stderr: err };
}

describe("hostpass-agent command line", () => {
  let host: ScratchHost;
  let files: string;
  before(async () => {
    host = await makeScratchHost();
    files = await makeTempDir("hostpass-agent-cli-");
  });
  after(async () => {
    await removeDir(host.root);
    await removeDir(files);
  });
  const root = () => ["--root", host.root, "--sshd-reload", "none"];

  it("status before a join: not joined, and nothing written", async () => {
    const r = await agent(["status", ...root()]);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), { joined: false });
    await assert.rejects(access(host.paths.stateDir));
  });

  it("run before a join is the seed's exit 22 with its explanation", async () => {
    const r = await agent(["run", ...root(), "--sshd-log", "none"]);
    assert.equal(r.code, 22);
    assert.match(
      r.stderr,
      /^ERROR: \(ERR_EXTENSION_NO_MANAGED_IDENTITY\) Managed System Identity is required/,
    );
  });

  it("apply prints what it applied and refused; restore puts the host back", async () => {
    const krl = krlBytes();
    await writeFile(
      join(files, "state.json"),
      JSON.stringify(hostState({ logins: [login("ann@contoso.com", "admin"), login("root")] }, krl)),
    );
    await writeFile(join(files, "krl"), krl);
    const r = await agent([
      "apply",
      ...root(),
      "--state",
      join(files, "state.json"),
      "--krl",
      join(files, "krl"),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const status = JSON.parse(r.stdout);
    assert.equal(status.logins, 2);
    assert.deepEqual(
      status.refused.map((x: { linuxName: string }) => x.linuxName),
      ["root"],
    );
    assert.equal(status.extension.provisioningState, "Succeeded");
    const s = await agent(["status", ...root()]);
    assert.equal(JSON.parse(s.stdout).version, 1);
    const restored = await agent(["restore", ...root()]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.ok(JSON.parse(restored.stdout).changed.includes(host.paths.nsswitch));
  });

  it("a legacy AADLoginForLinux on the host is the seed's exit 23", async () => {
    const other = await makeScratchHost();
    try {
      await mkdir(join(other.root, "etc/pam.d"), { recursive: true });
      await writeFile(join(other.root, "etc/pam.d/common-auth"), "auth required pam_aad.so\n");
      const krl = krlBytes();
      await writeFile(join(files, "state2.json"), JSON.stringify(hostState({}, krl)));
      const r = await agent([
        "apply",
        "--root",
        other.root,
        "--sshd-reload",
        "none",
        "--state",
        join(files, "state2.json"),
      ]);
      assert.equal(r.code, 23);
      assert.match(r.stderr, /ERR_EXTENSION_LEGACY_INSTALLED.*Please uninstall AADLoginForLinux first/);
    } finally {
      await removeDir(other.root);
    }
  });

  it("bad input: a state that is not a HostState, an unknown option; help shows examples", async () => {
    await writeFile(join(files, "bad.json"), JSON.stringify({ protocol: 1, version: -1 }));
    const bad = await agent(["apply", ...root(), "--state", join(files, "bad.json")]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /ERR_AGENT_STATE_INVALID/);
    assert.equal((await agent(["apply", "--bogus"])).code, 2);
    const help = await agent(["join", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Examples\n[\s\S]*hostpass-agent join --server https:/);
  });
});
