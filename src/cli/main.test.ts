import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { runCli } from "./main.ts";

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

  it("answers usage errors with ERR_CLI_USAGE and exit 2", async () => {
    for (const argv of [["nope"], ["--output", "xml", "server"], ["server", "--bogus"]]) {
      const result = await run(...argv);
      assert.equal(result.code, 2, argv.join(" "));
      assert.match(result.stderr, /^ERROR: \(ERR_CLI_USAGE\) /);
    }
  });

  it("maps a command's failure to its kind's exit code", async () => {
    const result = await run("server", "--listen", "not-an-address", "--data-dir", "/nonexistent/never");
    assert.equal(result.code, 2);
    assert.match(result.stderr, /ERR_SERVER_CONFIG/);
  });
});
