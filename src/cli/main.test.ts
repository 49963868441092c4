import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { COMMANDS, loadAllCommands } from "./commands/index.ts";
import { commandsFor, runCli } from "./main.ts";

function capture(): { stream: Writable; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

async function run(...argv: string[]) {
  const out = capture();
  const err = capture();
  const code = await runCli(argv, { stdout: out.stream, stderr: err.stream, env: {} });
  return { code, stdout: out.text(), stderr: err.text() };
}

describe("hostpass command line", () => {
  it("shows help with exit 0, on the program and on a command", async () => {
    const top = await run("--help");
    assert.equal(top.code, 0);
    assert.match(top.stdout, /--output <format>/);
    assert.match(top.stdout, /--only-show-errors/);
    const server = await run("server", "-h");
    assert.equal(server.code, 0);
    assert.match(server.stdout, /--insecure-http/);
  });

  it("has examples in the help of every command, and every command file matches its entry", async () => {
    const loaded = await loadAllCommands();
    for (const [i, command] of loaded.entries()) {
      assert.deepEqual(command.path, COMMANDS[i]?.path, "the index names the command its file holds");
      assert.ok(command.examples.length > 0, `${command.path.join(" ")} has an example`);
      const help = await run(...command.path, "-h");
      assert.equal(help.code, 0, command.path.join(" "));
      assert.match(help.stdout, /\nExamples\n {4}\S.*\n {8}hostpass /, command.path.join(" "));
    }
  });

  it("loads only the file of the command it runs", () => {
    assert.deepEqual(
      commandsFor(["-o", "tsv", "ssh", "cert", "--file", "x"]).map((c) => c.path.join(" ")),
      ["ssh cert"],
    );
    assert.deepEqual(
      commandsFor(["cloud", "-h"]).map((c) => c.path[0]),
      COMMANDS.filter((c) => c.path[0] === "cloud").map(() => "cloud"),
    );
    assert.equal(commandsFor(["nope"]).length, COMMANDS.length);
  });

  it("prints --version", async () => {
    const result = await run("--version");
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^hostpass \d+\.\d+\.\d+\nnode 24\./);
  });

  it("answers usage errors with ERR_CLI_USAGE and exit 2", async () => {
    for (const argv of [["nope"], ["--output", "xml", "server"], ["server", "--bogus"], ["cloud", "set"]]) {
      const result = await run(...argv);
      assert.equal(result.code, 2, argv.join(" "));
      assert.match(result.stderr, /^ERROR: \(ERR_CLI_USAGE\) /);
    }
  });

  it("refuses a malformed --query before the command runs (exit 2, nothing done)", async () => {
    const result = await run("--query", "[?", "server", "--data-dir", "/nonexistent/never");
    assert.equal(result.code, 2);
    assert.match(result.stderr, /ERR_CLI_INVALID_QUERY/);
    assert.doesNotMatch(result.stderr, /ERR_SERVER_CONFIG|listening/);
  });

  it("maps a command's failure to its kind's exit code", async () => {
    const result = await run("server", "--listen", "not-an-address", "--data-dir", "/nonexistent/never");
    assert.equal(result.code, 2);
    assert.match(result.stderr, /ERR_SERVER_CONFIG/);
  });
});
