import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { CliUsageError } from "../../src/cli/errors.ts";
import {
  defaultAccount,
  removeAccounts,
  saveAccount,
  setDefaultAccount,
  updateAccount,
  usableToken,
} from "../../src/cli/session/accounts.ts";
import {
  CloudError,
  CloudNotFoundError,
  listClouds,
  localCloud,
  registerCloud,
  setCloud,
  showCloud,
  unregisterCloud,
} from "../../src/cli/session/clouds.ts";
import { readState, writeState } from "../../src/cli/session/config-dir.ts";
import { CliStateError, NotSignedInError } from "../../src/cli/session/errors.ts";

async function freshDir(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), "hostpass-cli-")), "state");
}

describe("CLI state files", () => {
  test("are 0600 in a 0700 directory, and written whole", async () => {
    const dir = await freshDir();
    await writeState(dir, "x.json", { a: 1 });
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    assert.equal((await stat(join(dir, "x.json"))).mode & 0o777, 0o600);
    assert.deepEqual(await readState(dir, "x.json", {}), { a: 1 });
  });

  test("a file readable by others, a symlink, or broken JSON is refused", async () => {
    const dir = await freshDir();
    await writeState(dir, "x.json", { a: 1 });
    await chmod(join(dir, "x.json"), 0o644);
    await assert.rejects(readState(dir, "x.json", {}), CliStateError);
    await symlink("/etc/passwd", join(dir, "link.json"));
    await assert.rejects(readState(dir, "link.json", {}), CliStateError);
    await writeFile(join(dir, "bad.json"), "{", { mode: 0o600 });
    await assert.rejects(readState(dir, "bad.json", {}), CliStateError);
    await chmod(dir, 0o755);
    await assert.rejects(writeState(dir, "y.json", {}), CliStateError);
  });
});

describe("cloud profiles", () => {
  test("local is built in; register, set, show, list and unregister", async () => {
    const dir = await freshDir();
    assert.equal((await showCloud(dir)).name, "local");
    await registerCloud(dir, { name: "prod", endpoint: "https://hostpass.example.com/" });
    assert.equal((await showCloud(dir, "prod")).endpoint, "https://hostpass.example.com");
    await setCloud(dir, "prod");
    assert.deepEqual(
      (await listClouds(dir)).map((c) => [c.name, c.isActive]),
      [
        ["local", false],
        ["prod", true],
      ],
    );
    await assert.rejects(unregisterCloud(dir, "prod"), CloudError);
    await setCloud(dir, "local");
    await unregisterCloud(dir, "prod");
    await assert.rejects(showCloud(dir, "prod"), CloudNotFoundError);
  });

  test("bad names and endpoints are refused and nothing is written", async () => {
    const dir = await freshDir();
    for (const endpoint of [
      "http://hostpass.example.com",
      "ftp://x",
      "not a url",
      "https://u:p@h",
      "https://h/?q=1",
    ]) {
      await assert.rejects(registerCloud(dir, { name: "x", endpoint }), CloudError, endpoint);
    }
    for (const name of ["", "a b", "../x", "-x", "x".repeat(65)]) {
      await assert.rejects(registerCloud(dir, { name, endpoint: "https://h" }), CloudError, name);
    }
    await assert.rejects(registerCloud(dir, { name: "local", endpoint: "https://h" }), CloudError);
    await registerCloud(dir, { name: "dev", endpoint: "http://127.0.0.1:8080" });
    assert.equal((await listClouds(dir)).length, 2);
  });

  test("local uses the public URL the server on this machine wrote in its data directory", async () => {
    const dataDir = await freshDir();
    assert.equal(localCloud(dataDir).endpoint, "https://127.0.0.1:8443", "no server there yet");
    await mkdir(dataDir, { recursive: true });
    const written = async (text: string) => {
      await writeFile(join(dataDir, "public-url"), text);
      return localCloud(dataDir).endpoint;
    };
    assert.equal(await written("https://10.213.255.1:8443\n"), "https://10.213.255.1:8443");
    for (const bad of ["http://10.213.255.1:8443", "https://h/path", "not a url", ""])
      assert.equal(await written(bad), "https://127.0.0.1:8443", bad);
  });
});

describe("token cache", () => {
  const base = {
    cloud: "local",
    tenantId: "t1",
    objectId: "o1",
    user: { name: "alice@contoso.com", type: "user" as const },
    refreshToken: "r1",
    accessTokens: {},
  };

  test("no account means the seed's 'run login again' error", async () => {
    const dir = await freshDir();
    await assert.rejects(defaultAccount(dir, "local"), (e: NotSignedInError) =>
      /run `hostpass login` again/.test(e.message),
    );
  });

  test("the newest sign-in is the default; tokens rotate in place; logout removes", async () => {
    const dir = await freshDir();
    await saveAccount(dir, base);
    await saveAccount(dir, {
      ...base,
      objectId: "o2",
      refreshToken: "bob-r",
      user: { name: "bob@contoso.com", type: "user" },
    });
    assert.equal((await defaultAccount(dir, "local")).user.name, "bob@contoso.com");
    const alice = await setDefaultAccount(dir, "local", "alice@contoso.com");
    const now = Date.now();
    await updateAccount(dir, alice, {
      refreshToken: "r2",
      accessTokens: { res: { token: "at", expiresAt: now + 3_600_000 } },
    });
    const reread = await defaultAccount(dir, "local");
    assert.equal(reread.refreshToken, "r2");
    assert.equal(usableToken(reread, "res", now), "at");
    assert.equal(usableToken(reread, "res", now + 3_400_000), undefined, "tokens near expiry are not used");
    assert.ok(
      !(await readFile(join(dir, "accounts.json"), "utf8")).includes("r1"),
      "the rotated refresh token is gone",
    );
    await removeAccounts(dir, "local");
    await assert.rejects(defaultAccount(dir, "local"), NotSignedInError);
  });

  test("account set with a name nobody has: a usage error naming what there is; signed in nowhere: sign in", async () => {
    // Trial finding 7: it said ERR_NOT_SIGNED_IN ("run hostpass login again") while signed in.
    const dir = await freshDir();
    await assert.rejects(setDefaultAccount(dir, "local", "nope"), NotSignedInError);
    await saveAccount(dir, {
      ...base,
      subscription: { id: "s1", name: "Default Subscription" },
    } as typeof base);
    await assert.rejects(
      setDefaultAccount(dir, "local", "nope"),
      (e: CliUsageError) =>
        e instanceof CliUsageError &&
        e.code === "ERR_CLI_USAGE" &&
        /no subscription, tenant or signed-in user named "nope"; signed in: "Default Subscription"/.test(
          e.message,
        ),
    );
    assert.equal(
      (await setDefaultAccount(dir, "local", "Default Subscription")).user.name,
      "alice@contoso.com",
    );
  });
});
