/**
 * The server-side findings of a new user's trial, through the real CLI against a real
 * `hostpass server` (signed in through the portal in Chromium): a refused read is in the activity
 * log and `--status denied` finds it; `role assignment list --all` / `--include-inherited`; bad
 * input answered in words naming the option; port numbers checked.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  ADMIN_PASSWORD,
  ADMIN_UPN,
  type CliServer,
  type CliUser,
  startCliServer,
} from "../helpers/cli-server.ts";

const BOB = "bob@hostpass.local";
const BOB_PASSWORD = "bob's password for the trial test";

describe("new-user trial (server side) through the CLI", () => {
  let s: CliServer;
  let bob: CliUser;
  let vm: string;
  const json = async (user: CliUser, args: string[]) => {
    const r = await user.cli([...args, "-o", "json"]);
    assert.equal(r.code, 0, r.err);
    return JSON.parse(r.out);
  };
  /** The one-line error, its code and the exit status. */
  const refused = async (user: CliUser, args: string[], code: string, status = 2) => {
    const r = await user.cli(args);
    assert.equal(r.code, status, `${args.join(" ")}: ${r.err}`);
    const m = /^ERROR: \((ERR_[A-Z0-9_]+)\) (.*)\n$/s.exec(r.err);
    assert.ok(m, r.err);
    assert.equal(m[1], code, r.err);
    return m[2] as string;
  };

  before(async () => {
    s = await startCliServer();
    assert.equal((await s.signIn(ADMIN_UPN, ADMIN_PASSWORD)).code, 0);
    await json(s, ["group", "create", "--name", "trial", "--location", "local"]);
    vm = (await json(s, ["vm", "create", "-g", "trial", "-n", "vm1", "--image", "debian-12"])).id;
    await json(s, [
      "ad",
      "user",
      "create",
      "--display-name",
      "Bob",
      "--user-principal-name",
      BOB,
      "--password",
      BOB_PASSWORD,
    ]);
    await json(s, [
      "role",
      "assignment",
      "create",
      "--role",
      "Virtual Machine User Login",
      "--assignee",
      BOB,
      "-g",
      "trial",
    ]);
    bob = await s.user();
    assert.equal((await bob.signIn(BOB, BOB_PASSWORD)).code, 0);
  });
  after(() => s?.close());

  it("a read refused by authorization is in the activity log; --status denied finds it", async () => {
    await refused(bob, ["ad", "user", "list"], "ERR_AUTHORIZATION_FAILED", 5);
    const denied = await json(s, ["monitor", "activity-log", "list", "--caller", BOB, "--status", "denied"]);
    const event = denied.find((e: { action: string }) => e.action === "Directory/users/read");
    assert.ok(event, JSON.stringify(denied));
    assert.equal(event.target, "/");
    assert.equal(event.result, "denied");
    assert.equal(event.details.code, "ERR_AUTHORIZATION_FAILED");
    assert.equal(event.details.method, "GET");
    const ok = await json(s, ["monitor", "activity-log", "list", "--caller", BOB, "--status", "success"]);
    assert.equal(ok.length, 0);
    assert.match(
      await refused(s, ["monitor", "activity-log", "list", "--status", "maybe"], "ERR_CLI_USAGE"),
      /--status: "maybe" is not one of success, failure, denied/,
    );
  });

  it("role assignment list: at the scope; --all also below it; --include-inherited also above it", async () => {
    const roles = (list: { roleDefinitionName: string; scope: string }[]) =>
      list.map((a) => `${a.roleDefinitionName} @ ${a.scope.split("/").at(-1)}`);
    assert.deepEqual(await json(s, ["role", "assignment", "list", "--assignee", BOB]), []);
    assert.deepEqual(roles(await json(s, ["role", "assignment", "list", "--assignee", BOB, "--all"])), [
      "Virtual Machine User Login @ trial",
    ]);
    assert.deepEqual(
      roles(await json(s, ["role", "assignment", "list", "--scope", vm, "--assignee", BOB])),
      [],
    );
    assert.deepEqual(
      roles(
        await json(s, [
          "role",
          "assignment",
          "list",
          "--scope",
          vm,
          "--assignee",
          BOB,
          "--include-inherited",
        ]),
      ),
      ["Virtual Machine User Login @ trial"],
    );
    const everyone = await json(s, ["role", "assignment", "list", "--all"]);
    assert.ok(everyone.some((a: { principalName: string }) => a.principalName === BOB));
  });

  it("bad input: the scope, the characters allowed, the limit and the missing option, in words", async () => {
    const scope = await refused(
      s,
      ["role", "assignment", "create", "--role", "Reader", "--assignee", BOB, "--scope", "/bogus/thing"],
      "ERR_RESOURCE_INVALID_ID",
    );
    assert.match(scope, /^"\/bogus\/thing" is not a valid scope: /);
    assert.doesNotMatch(scope, /no route/);
    assert.equal(
      await refused(s, ["group", "create", "--name", "bad name!", "--location", "local"], "ERR_VALIDATION"),
      "resourceGroupName in the URL may contain only letters, digits and the characters _ . ( ) ~ - (1 to 90 of them), and not only dots (option --name)",
    );
    assert.equal(
      await refused(
        s,
        ["group", "create", "--name", "x".repeat(5000), "--location", "local"],
        "ERR_VALIDATION",
      ),
      "resourceGroupName in the URL is too long: at most 90 characters (option --name)",
    );
    assert.equal(
      await refused(s, ["idp", "add", "--name", "up1", "--issuer", "https://idp.example"], "ERR_VALIDATION"),
      "the request body is missing clientId, which is required (option --client-id)",
    );
  });

  it("port numbers are checked: server --port / --listen, ssh vm --port", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "hostpass-trial-port-"));
    try {
      assert.equal(
        await refused(s, ["server", "--data-dir", dataDir, "--port", "99999"], "ERR_CLI_USAGE"),
        '--port: "99999" is not a port number (0-65535)',
      );
      assert.equal(
        await refused(
          s,
          ["server", "--data-dir", dataDir, "--listen", "127.0.0.1:99999"],
          "ERR_SERVER_CONFIG",
        ),
        "--listen: port 99999 is out of range (0-65535; 0: any free port)",
      );
      assert.match(
        await refused(
          s,
          ["server", "--data-dir", dataDir, "--listen", "127.0.0.1:1", "--port", "2"],
          "ERR_CLI_USAGE",
        ),
        /either --listen host:port or --port/,
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
    assert.equal(
      await refused(s, ["ssh", "vm", "--ip", "10.0.0.1", "--port", "99999"], "ERR_CLI_USAGE"),
      '--port: "99999" is not a port number (1-65535)',
    );
  });
});
