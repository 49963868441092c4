import assert from "node:assert/strict";
import { test } from "node:test";
import { checkHost, targetOf } from "./ssh-target.ts";

test("checkHost: IPv4, IPv6 (brackets dropped) and RFC 1123 host names pass as ssh will get them", () => {
  for (const [given, expected] of [
    ["10.0.0.1", "10.0.0.1"],
    ["::1", "::1"],
    ["[fe80::1]", "fe80::1"],
    ["2001:db8::7", "2001:db8::7"],
    ["localhost", "localhost"],
    ["myvm.contoso.example.", "myvm.contoso.example."],
    ["build_box", "build_box"],
    ["a-b.c1", "a-b.c1"],
    ["1host.example", "1host.example"],
    [`${"a".repeat(63)}.example`, `${"a".repeat(63)}.example`],
  ])
    assert.equal(checkHost(given as string, "--ip"), expected, given);
});

test("checkHost: everything else is ERR_CLI_INVALID_HOST", () => {
  for (const bad of [
    "",
    "10.11.123.456",
    "1.2.3",
    "999",
    "fe80::1::2",
    "[10.0.0.1]",
    "[host]",
    "a..b",
    ".a",
    "-a",
    "a-",
    "a b",
    "a;b",
    "a/b",
    "-oProxyCommand=x",
    "host.123",
    `${"a".repeat(64)}.example`,
    `${"a.".repeat(127)}ab`,
    "hôte.example",
  ])
    assert.throws(() => checkHost(bad, "--ip"), { code: "ERR_CLI_INVALID_HOST" }, JSON.stringify(bad));
});

test("targetOf: --ip normalised, --jump an address or a VM name", () => {
  assert.equal(targetOf({ ip: "[::1]" }).ip, "::1");
  assert.equal(targetOf({ ip: "10.0.0.5", jump: "bastionVM" }).jump, "bastionVM");
  assert.equal(targetOf({ ip: "10.0.0.5", jump: "10.0.0.4" }).jump, "10.0.0.4");
  assert.throws(() => targetOf({ ip: "10.0.0.5", jump: "10.0.0.400" }), { code: "ERR_CLI_INVALID_HOST" });
  assert.throws(() => targetOf({ ip: "10.0.0.5", jump: "-x" }), { code: "ERR_CLI_USAGE" });
  // --jump was silently dropped with --local-user: now said.
  assert.throws(() => targetOf({ ip: "10.0.0.5", jump: "bastionVM", localUser: "localadmin" }), {
    code: "ERR_CLI_USAGE",
  });
  // ssh config writes a Host pattern: the seed's own example passes there, never an option.
  assert.equal(targetOf({ ip: "10.11.123.456" }, "pattern").ip, "10.11.123.456");
  assert.throws(() => targetOf({ ip: "10.11.123.456" }), { code: "ERR_CLI_INVALID_HOST" });
  assert.throws(() => targetOf({ ip: "-oX=y" }, "pattern"), { code: "ERR_CLI_INVALID_HOST" });
  assert.throws(() => targetOf({ ip: "a b" }, "pattern"), { code: "ERR_CLI_INVALID_HOST" });
});
