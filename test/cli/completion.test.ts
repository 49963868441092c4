/** `hostpass completion bash|zsh`: the script, sourced by the real shells, completes commands and options. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { runCliCaptured } from "../helpers/cli.ts";

const run = promisify(execFile);

describe("shell completion", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "hostpass-completion-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const complete = async (script: string, words: string[]) => {
    const file = join(dir, "bash.sh");
    await writeFile(file, script);
    const array = words.map((w) => `'${w}'`).join(" ");
    const { stdout } = await run("bash", [
      "-c",
      `source ${file}; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _hostpass; echo "\${COMPREPLY[*]}"`,
    ]);
    return stdout.trim().split(" ");
  };

  it("bash: groups, verbs and a command's own options", async () => {
    const out = await runCliCaptured(["completion", "bash"], {});
    assert.equal(out.code, 0, out.err);
    assert.deepEqual(await complete(out.out, ["hostpass", "ro"]), ["role"]);
    assert.deepEqual(await complete(out.out, ["hostpass", "vm", "extension", "s"]), ["set", "show"]);
    assert.deepEqual(await complete(out.out, ["hostpass", "ssh", "vm", "--prefer"]), ["--prefer-private-ip"]);
    assert.ok((await complete(out.out, ["hostpass", "vm", "create", "--"])).includes("--generate-ssh-keys"));
  });

  it("zsh: the script loads through bashcompinit and defines the completer", async () => {
    const out = await runCliCaptured(["completion", "zsh"], {});
    assert.equal(out.code, 0, out.err);
    const file = join(dir, "zsh.sh");
    await writeFile(file, out.out);
    const { stdout } = await run("zsh", ["-f", "-c", `source ${file} && whence -w _hostpass`]);
    assert.equal(stdout.trim(), "_hostpass: function");
  });

  it("another shell is a usage error (exit 2)", async () => {
    const out = await runCliCaptured(["completion", "fish"], {});
    assert.equal(out.code, 2);
    assert.match(out.err, /ERR_CLI_USAGE/);
  });

  it("the seed's `extension add --name ssh` and `extension show` work; another extension does not exist", async () => {
    const add = await runCliCaptured(["extension", "add", "--name", "ssh"], {});
    assert.equal(add.code, 0);
    const show = await runCliCaptured(
      ["extension", "show", "--name", "ssh", "--query", "name", "-o", "tsv"],
      {},
    );
    assert.equal(show.out, "ssh\n");
    assert.equal((await runCliCaptured(["extension", "show", "--name", "aks-preview"], {})).code, 3);
  });
});
