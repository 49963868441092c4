/**
 * What a newcomer meets (issue 8 item 5) and bad input, through the real CLI (bin/hostpass as a
 * process where exit statuses and signals matter) against a real server: each a clear message, a
 * stable code and exit status, nothing written. Also: ten CLI processes refreshing at once stay
 * signed in, and a replayed old refresh token from another machine still revokes the family.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { chmod, chown, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { discover, refresh } from "../../src/cli/session/oauth.ts";
import { CLI_CLIENT_ID, MANAGEMENT_API_RESOURCE, MANAGEMENT_API_SCOPE } from "../../src/shared/well-known.ts";
import { ADMIN_PASSWORD, ADMIN_UPN, type CliServer, startCliServer } from "../helpers/cli-server.ts";

const run = promisify(execFile);
const BIN = new URL("../../bin/hostpass", import.meta.url).pathname;
const words = (line: string) => line.split(" ");

describe("bad input, newcomer fixes and the token cache under concurrency", () => {
  let s: CliServer;
  let accountsFile: string;
  /** bin/hostpass as a process, with the test user's environment. */
  const hostpass = async (args: string[], env: NodeJS.ProcessEnv = s.env) => {
    try {
      const { stdout, stderr } = await run(BIN, args, { env, encoding: "utf8", timeout: 60_000 });
      return { code: 0, out: stdout, err: stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      if (typeof e.code !== "number") throw error;
      return { code: e.code, out: e.stdout ?? "", err: e.stderr ?? "" };
    }
  };
  const dropAccessTokens = async () => {
    const state = JSON.parse(await readFile(accountsFile, "utf8")) as {
      accounts: { accessTokens: object }[];
    };
    for (const a of state.accounts) a.accessTokens = {};
    await writeFile(accountsFile, JSON.stringify(state), { mode: 0o600 });
  };

  before(async () => {
    s = await startCliServer();
    accountsFile = join(s.home, ".hostpass", "accounts.json");
  });
  after(() => s?.close());

  it("signed out: ssh cert says to run `hostpass login` (exit 4) and makes no key and no folder", async () => {
    const folder = join(s.home, ".ssh", "hostpass");
    const r = await hostpass(["ssh", "cert", "--file", join(folder, "id-cert.pub")]);
    assert.equal(r.code, 4);
    assert.match(r.err, /^ERROR: \(ERR_NOT_SIGNED_IN\) .*run `hostpass login` again/);
    await assert.rejects(stat(folder), { code: "ENOENT" });
  });

  it("a browser login on a machine without a browser suggests --use-device-code; Ctrl-C exits 130", async () => {
    const child = spawn(BIN, ["login"], { env: s.env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.setEncoding("utf8");
    const prompted = new Promise<void>((resolve) =>
      child.stderr.on("data", (chunk: string) => {
        err += chunk;
        if (err.includes("--use-device-code")) resolve();
      }),
    );
    await prompted;
    assert.match(err, /No web browser could be opened[\s\S]*hostpass login --use-device-code/);
    const code = await new Promise<number | null>((resolve) => {
      child.once("exit", (c) => resolve(c));
      child.kill("SIGINT");
    });
    assert.equal(code, 130);
    assert.match(err, /ERR_CANCELLED/);
  });

  it("signs in; the README's `ssh cert --file ~/.ssh/hostpass/id-cert.pub` works on a fresh machine", async () => {
    assert.equal((await s.signIn(ADMIN_UPN, ADMIN_PASSWORD)).code, 0);
    const file = join(s.home, ".ssh", "hostpass", "id-cert.pub");
    const r = await hostpass(["ssh", "cert", "--file", file]);
    assert.equal(r.code, 0, r.err);
    assert.equal((await stat(join(s.home, ".ssh", "hostpass", "id_ed25519"))).mode & 0o777, 0o600);
    // A "folder" that is a file: the error names the file and its code, exit 2.
    const notADir = join(s.home, "not-a-folder");
    await writeFile(notADir, "");
    const pub = join(s.home, ".ssh", "hostpass", "id_ed25519.pub");
    const unwritable = await hostpass([
      "ssh",
      "cert",
      "--file",
      join(notADir, "x-cert.pub"),
      "--public-key-file",
      pub,
    ]);
    assert.equal(unwritable.code, 2, unwritable.err);
    assert.match(unwritable.err, /^ERROR: \(ERR_CLI_FILE\) cannot mkdir .*not-a-folder: /);
  });

  it("usage errors: unknown command or flag, a missing or conflicting flag (exit 2, ERR_CLI_USAGE)", async () => {
    for (const line of [
      "vm creat -g G -n N",
      "vm show -g G -n N --bogus",
      "vm create -g LinuxVMs --image debian-12",
      "ssh vm --ip 10.0.0.1 -n myVM -g G",
      "role assignment create --role Reader --assignee a@b.c --assignee-object-id 00000000-0000-0000-0000-000000000000",
      "vm show extra-word -g G -n N",
      "-o xml account show",
    ]) {
      const r = await hostpass(words(line));
      assert.equal(r.code, 2, `${line}\n${r.err}`);
      assert.match(r.err, /^ERROR: \(ERR_CLI_USAGE\) /, line);
      assert.equal(r.out, "", line);
    }
  });

  it("a '.' or '..' in a name or scope is refused before anything is sent: it would address another resource (new-user trial)", async () => {
    const subscription = "00000000-0000-4000-8000-000000000001";
    const before = (
      await hostpass(["role", "assignment", "list", "--all", "--query", "length(@)", "-o", "tsv"])
    ).out;
    for (const args of [
      // resolved by the URL, this was Owner on the whole subscription
      words(
        `role assignment create --role Owner --assignee ${ADMIN_UPN} --scope /subscriptions/${subscription}/resourceGroups/LinuxVMs/../../`,
      ),
      words(
        `role assignment create --role Owner --assignee ${ADMIN_UPN} --scope /subscriptions/${subscription}/resourceGroups/x/%2E%2e`,
      ),
      words("group delete -n .. --yes"),
      words("vm show -g LinuxVMs -n ."),
    ]) {
      const r = await hostpass(args);
      assert.equal(r.code, 2, `${args.join(" ")}\n${r.err}`);
      assert.match(r.err, /^ERROR: \(ERR_CLI_USAGE\) .*may not be "\." or "\.\."/, args.join(" "));
    }
    const after = (
      await hostpass(["role", "assignment", "list", "--all", "--query", "length(@)", "-o", "tsv"])
    ).out;
    assert.equal(after, before, "no role assignment was made");
  });

  it("a resource that does not exist is exit 3 with the service's code", async () => {
    const r = await hostpass(words("vm show -g NoSuchGroup -n myVM"));
    assert.equal(r.code, 3);
    assert.match(r.err, /^ERROR: \(ERR_RESOURCE_NOT_FOUND\) /);
  });

  it("a malformed --query is refused before anything is done (exit 2)", async () => {
    const r = await hostpass(["group", "create", "-n", "QueryGroup", "-l", "local", "--query", "[?"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /^ERROR: \(ERR_CLI_INVALID_QUERY\) /);
    assert.equal((await hostpass(words("group show -n QueryGroup"))).code, 3, "the group was not created");
  });

  it("ssh config --file where no folder can be made (/proc) fails at once: ERR_CLI_FILE, exit 2, no certificate", async () => {
    const started = Date.now();
    const r = await hostpass(["ssh", "config", "--file", "/proc/hostpass-nope/config", "--ip", "10.0.0.1"]);
    assert.equal(r.code, 2, r.err);
    assert.match(
      r.err,
      /^ERROR: \(ERR_CLI_FILE\) cannot mkdir \/proc\/hostpass-nope: no such file or directory/,
    );
    assert.ok(Date.now() - started < 20_000, "fails fast (Node's recursive mkdir spun here forever)");
    await assert.rejects(stat(join(s.home, ".hostpass", "ssh")), { code: "ENOENT" }, "no keys folder made");
  });

  it("ssh vm --ip that is no address nor a known host: a code and exit 2 before any key or ssh", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["--ip", "not-an-ip"],
        /^ERROR: \(ERR_CLI_UNKNOWN_HOST\) --ip: not-an-ip is not an address, and no host has that name/,
      ],
      // The seed's own placeholder address: a dotted number that is no IPv4 address.
      [
        ["--ip", "10.11.123.456"],
        /^ERROR: \(ERR_CLI_INVALID_HOST\) --ip: "10\.11\.123\.456" is not an IPv4 address/,
      ],
      [["--ip", "fe80::1::2"], /^ERROR: \(ERR_CLI_INVALID_HOST\) --ip: "fe80::1::2" is not an IPv6 address/],
      [
        ["--ip=-oProxyCommand=sh"],
        /^ERROR: \(ERR_CLI_INVALID_HOST\) --ip: "-oProxyCommand=sh" is not an IPv4 or IPv6/,
      ],
      [["--ip", "host;id"], /^ERROR: \(ERR_CLI_INVALID_HOST\) /],
      [["--ip", "-bad-.example"], /^ERROR: \(ERR_CLI_INVALID_HOST\) /],
      [["--ip", "10.0.0.1", "--jump", "bastion..example"], /^ERROR: \(ERR_CLI_INVALID_HOST\) --jump: /],
    ];
    for (const [args, expected] of cases) {
      const r = await hostpass(["ssh", "vm", ...args, "--", "-o", "BatchMode=yes", "true"]);
      assert.equal(r.code, 2, `${args.join(" ")}\n${r.err}`);
      assert.match(r.err, expected, args.join(" "));
      assert.doesNotMatch(r.err, /ssh:/, "ssh was not run");
    }
    // ssh config writes --ip as a Host pattern (the seed's 10.11.123.456 included), but no option.
    const config = await hostpass(["ssh", "config", "--file", join(s.home, "cfg"), "--ip=-oProxyCommand=sh"]);
    assert.equal(config.code, 2, config.err);
    assert.match(config.err, /^ERROR: \(ERR_CLI_INVALID_HOST\) --ip: "-oProxyCommand=sh"/);
    await assert.rejects(stat(join(s.home, ".hostpass", "ssh")), { code: "ENOENT" }, "no key made");
  });

  it("ten CLI processes refreshing at once stay signed in (one refresh at a time, the rest reuse it)", async () => {
    assert.equal((await hostpass(words("group create -n Busy -l local"))).code, 0);
    const before = JSON.parse(await readFile(accountsFile, "utf8")) as {
      accounts: { refreshToken: string }[];
    };
    await dropAccessTokens();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => hostpass(words("group show -n Busy --query name -o tsv"))),
    );
    for (const r of results) assert.deepEqual([r.code, r.out, r.err], [0, "Busy\n", ""]);
    await dropAccessTokens();
    assert.equal((await hostpass(words("group show -n Busy"))).code, 0, "still signed in");
    // The token the ten started from, replayed from another machine after it was rotated away.
    const old = before.accounts.find((a) => a.refreshToken)?.refreshToken as string;
    const conn = await discover(s.running.url, s.caFile);
    await assert.rejects(
      refresh(conn, CLI_CLIENT_ID, old, MANAGEMENT_API_RESOURCE, MANAGEMENT_API_SCOPE),
      /invalid_grant/,
    );
    await dropAccessTokens();
    await new Promise((r) => setTimeout(r, 1100)); // the API's 1 s liveness cache
    const revoked = await hostpass(words("group show -n Busy"));
    assert.equal(revoked.code, 4, "the replay revoked the whole family");
    assert.match(revoked.err, /ERR_NOT_SIGNED_IN\) .*run `hostpass login` again/);
  });

  it("a token cache that is garbage, readable by others or owned by someone else is refused (exit 2), untouched", async () => {
    await mkdir(join(s.home, ".hostpass"), { recursive: true });
    await writeFile(accountsFile, "{ not json", { mode: 0o600 });
    const garbage = await hostpass(words("account show"));
    assert.equal(garbage.code, 2);
    assert.match(garbage.err, /^ERROR: \(ERR_CLI_STATE\) .*accounts\.json is not valid JSON/);
    assert.equal(await readFile(accountsFile, "utf8"), "{ not json");
    await writeFile(accountsFile, JSON.stringify({ accounts: [] }), { mode: 0o600 });
    await chmod(accountsFile, 0o644);
    const open = await hostpass(words("account show"));
    assert.equal(open.code, 2);
    assert.match(open.err, /ERR_CLI_STATE\) .*readable by other users/);
    await chmod(accountsFile, 0o600);
    await chown(accountsFile, 65534, 65534);
    const foreign = await hostpass(words("account show"));
    assert.equal(foreign.code, 2);
    assert.match(foreign.err, /ERR_CLI_STATE\) .*owned by another user/);
  });
});
