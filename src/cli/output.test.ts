import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HostpassError } from "../shared/errors.ts";
import { checkQuery, exitCodeFor, formatError, formatResult } from "./output.ts";

class Denied extends HostpassError {
  readonly code = "ERR_AUTHORIZATION_FAILED";
  readonly kind = "forbidden";
}
class NoIdentity extends HostpassError {
  readonly code = "ERR_EXTENSION_NO_MANAGED_IDENTITY";
  readonly kind = "conflict";
}

const vms = [
  { name: "myVM", resourceGroup: "LinuxVMs", privateIps: "10.0.0.4", tags: { a: "b" } },
  { name: "web\t1", resourceGroup: "LinuxVMs", privateIps: "", tags: {} },
];

describe("cli output", () => {
  it("prints json, and tsv/table of scalar fields like az", async () => {
    assert.deepEqual(JSON.parse(await formatResult(vms, { output: "json" })), vms);
    assert.equal(await formatResult(vms, { output: "tsv" }), "myVM\tLinuxVMs\t10.0.0.4\nweb 1\tLinuxVMs\t\n");
    const table = (await formatResult(vms, { output: "table" })).split("\n");
    assert.match(table[0] as string, /^Name\s+ResourceGroup\s+PrivateIps$/);
    assert.match(table[1] as string, /^-+\s+-+\s+-+$/);
    assert.equal(await formatResult(vms, { output: "none" }), "");
  });

  it("applies --query (JMESPath) before formatting, e.g. `--query id -o tsv`", async () => {
    assert.equal(
      await formatResult({ id: "/subscriptions/s/x", n: 1 }, { output: "tsv", query: "id" }),
      "/subscriptions/s/x\n",
    );
    assert.equal(await formatResult(vms, { output: "tsv", query: "[].name" }), "myVM\nweb 1\n");
    await assert.rejects(formatResult(vms, { output: "json", query: "[?" }), {
      code: "ERR_CLI_INVALID_QUERY",
    });
    await assert.rejects(checkQuery("[?"), { code: "ERR_CLI_INVALID_QUERY" });
    await checkQuery("[].name");
  });

  it("writes YAML that quotes what could be misread", async () => {
    const yaml = await formatResult(
      { name: "yes", count: 3, list: ["a: b", "plain"], empty: [] },
      { output: "yaml" },
    );
    assert.equal(yaml, 'name: "yes"\ncount: 3\nlist:\n  - "a: b"\n  - plain\nempty: []\n');
    const { parse } = await import("yaml");
    const tricky = { on: "on", n: null, zero: "010", e: "1e3", tilde: "~", deep: [{ a: [1, "no"] }] };
    const text = await formatResult(tricky, { output: "yaml" });
    assert.deepEqual(parse(text, { version: "1.1" }), tricky, "YAML 1.1 readers get the strings back");
    assert.deepEqual(parse(text), tricky, "YAML 1.2 readers too");
  });

  it("maps error kinds and the seed's codes to stable exit codes", () => {
    assert.equal(exitCodeFor(new Denied("no")), 5);
    assert.equal(exitCodeFor(new NoIdentity("no")), 22);
    assert.equal(exitCodeFor(new TypeError("bug")), 1);
    assert.match(formatError(new TypeError("bug"), false), /^ERROR: \(ERR_INTERNAL\) internal error: bug/);
    const enoent = Object.assign(new Error("ENOENT: no such file"), {
      code: "ENOENT",
      syscall: "open",
      path: "/nope/x",
    });
    assert.equal(exitCodeFor(enoent), 2);
    assert.equal(
      formatError(enoent, false),
      "ERROR: (ERR_CLI_FILE) cannot open /nope/x: no such file or directory\n",
    );
    assert.equal(
      formatError(new Denied("Access denied"), false),
      "ERROR: (ERR_AUTHORIZATION_FAILED) Access denied\n",
    );
  });
});
