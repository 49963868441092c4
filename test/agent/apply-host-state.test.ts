/**
 * The agent's file layer against a scratch root laid out like a Debian host, checked with the
 * real sshd -t / sshd -T and visudo.
 */
import assert from "node:assert/strict";
import { lstat, mkdir, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { hostRecords, openAgentStore } from "../../src/agent/agent-store.ts";
import { type ApplyInput, applyHostState } from "../../src/agent/apply-host-state.ts";
import type { HostPaths } from "../../src/agent/host-paths.ts";
import { systemTools } from "../../src/agent/lib/system-tools.ts";
import type { HostState } from "../../src/shared/host-protocol.ts";
import { parsePublicKey } from "../../src/ssh/index.ts";
import { removeDir } from "../helpers/openssh.ts";
import { hostState, krlBytes, login } from "./helpers/host-state-fixture.ts";
import { hostKeyPub, makeScratchHost, type ScratchHost } from "./helpers/scratch-host.ts";

const tools = systemTools({ reload: "none" });

async function apply(host: ScratchHost, state: HostState, extra: Partial<ApplyInput> = {}) {
  const store = await openAgentStore(host.paths);
  return applyHostState(host.paths, tools, hostRecords(store), {
    state,
    stage: "connected",
    krl: krlBytes(),
    hostKeys: [parsePublicKey(await hostKeyPub(host))],
    now: Date.now(),
    ...extra,
  });
}

const text = (path: string) => readFile(path, "utf8");
const mode = async (path: string) => (await lstat(path)).mode & 0o7777;

describe("agent file layer: enable and update", () => {
  let host: ScratchHost;
  let p: HostPaths;
  const alice = login("alice@contoso.com", "admin");
  const bob = login("bob@contoso.com", "user");
  before(async () => {
    host = await makeScratchHost();
    p = host.paths;
  });
  after(() => removeDir(host.root));

  it("writes every file for an admin and a user, checked by sshd -t and visudo", async () => {
    const result = await apply(host, hostState({ logins: [alice, bob] }));
    assert.deepEqual(
      result.logins.map((l) => [l.linuxName, l.level]),
      [
        ["alice@contoso.com", "admin"],
        ["bob@contoso.com", "user"],
      ],
    );
    assert.deepEqual(result.refused, []);
    assert.equal(result.krlPending, false);
    assert.equal(await text(join(p.principalsDir, "alice@contoso.com")), "alice@contoso.com\n");
    assert.equal(await text(join(p.principalsDir, "bob@contoso.com")), "bob@contoso.com\n");
    const passwd = await text(p.extrausersPasswd);
    assert.match(
      passwd,
      new RegExp(
        `^alice@contoso.com:x:${alice.uid}:99999:User alice@contoso.com:${p.homeBase}/alice@contoso.com:/bin/bash$`,
        "m",
      ),
    );
    assert.equal(
      await text(p.extrausersGroup),
      `hostpass-users:x:99999:\nhostpass-admins:x:99998:alice@contoso.com\n`,
    );
    assert.equal(await text(p.extrausersShadow), "alice@contoso.com:*:::::::\nbob@contoso.com:*:::::::\n");
    assert.equal(await mode(p.extrausersShadow), 0o640);
    assert.equal((await lstat(p.extrausersShadow)).gid, 42);
    const sudoers = await text(p.sudoersFile);
    assert.match(sudoers, new RegExp(`^#${alice.uid} ALL=\\(ALL:ALL\\) NOPASSWD: ALL$`, "m"));
    assert.doesNotMatch(sudoers, new RegExp(`#${bob.uid}`));
    assert.equal(await mode(p.sudoersFile), 0o440);
    assert.match(await text(p.trustedUserCaKeys), /^ssh-ed25519 AAAA\S+ hostpass-user-ca ca-1 active\n$/);
    assert.match(await text(p.nsswitch), /^passwd:\s+files extrausers systemd$/m);
    assert.match(await text(p.nsswitch), /^shadow:\s+files extrausers systemd$/m);
    assert.match(
      await text(p.pamSshd),
      /pam_mkhomedir\.so skel=\S+ umask=0077 # hostpass-agent\n@include common-session/,
    );
    const dropIn = await text(p.sshdDropIn);
    assert.match(dropIn, new RegExp(`^TrustedUserCAKeys ${p.trustedUserCaKeys}$`, "m"));
    assert.match(dropIn, /^Match Group hostpass-users\n\tAuthorizedKeysFile none$/m);
    const effective = await tools.effectiveSshdConfig(p.sshdConfig);
    assert.deepEqual(effective.get("revokedkeys"), [p.revokedKeys]);
    assert.deepEqual(effective.get("authorizedprincipalsfile"), [`${p.principalsDir}/%u`]);
    assert.deepEqual([...krlBytes()], [...(await readFile(p.revokedKeys))]);
  });

  it("applying the same state again changes nothing", async () => {
    const result = await apply(host, hostState({ logins: [alice, bob] }));
    assert.deepEqual(result.changed, []);
    assert.equal(result.sshdReloaded, false);
  });

  it("a demotion takes sudo away; a removal takes the login away", async () => {
    const demoted = { ...alice, level: "user" as const };
    await apply(host, hostState({ version: 2, logins: [demoted, bob] }));
    assert.doesNotMatch(await text(p.sudoersFile), new RegExp(`#${alice.uid}`));
    assert.match(await text(p.extrausersGroup), /^hostpass-admins:x:99998:$/m);
    await apply(host, hostState({ version: 3, logins: [demoted] }));
    assert.deepEqual(await readdir(p.principalsDir), ["alice@contoso.com"]);
    assert.doesNotMatch(await text(p.extrausersPasswd), /bob@contoso.com/);
    assert.doesNotMatch(await text(p.extrausersShadow), /bob@contoso.com/);
  });

  it("login extension enabled but no logins: every directory user goes", async () => {
    await apply(host, hostState({ version: 4, logins: [] }));
    assert.deepEqual(await readdir(p.principalsDir), []);
    assert.equal(await text(p.extrausersPasswd), "");
  });
});

describe("agent file layer: what it refuses", () => {
  let host: ScratchHost;
  let p: HostPaths;
  before(async () => {
    host = await makeScratchHost();
    p = host.paths;
  });
  after(() => removeDir(host.root));

  it("refuses hostile or colliding logins one by one and applies the rest", async () => {
    const good = login("carol@contoso.com", "admin");
    const hostile = [
      login("root", "admin"),
      login("a\nroot", "admin"),
      login("x,root", "admin"),
      login("Alice@contoso.com"),
      login("-oProxyCommand=x"),
      login("../../etc"),
      login("zed@contoso.com", "admin", { uid: 0 }),
      login("yan@contoso.com", "admin", { uid: 1000 }), // localadmin's uid
      login("localadmin", "admin"),
      login("dup@contoso.com", "user", { uid: 200_001 }),
      login("dup2@contoso.com", "user", { uid: 200_001 }),
    ];
    const result = await apply(host, hostState({ logins: [good, ...hostile] }));
    assert.deepEqual(
      result.logins.map((l) => l.linuxName),
      ["carol@contoso.com"],
    );
    assert.equal(result.refused.length, hostile.length);
    assert.deepEqual(await readdir(p.principalsDir), ["carol@contoso.com"]);
    const passwd = await text(p.extrausersPasswd);
    assert.equal(passwd.split("\n").filter(Boolean).length, 1);
    assert.doesNotMatch(await text(p.sudoersFile), /#0 |#1000 /);
    const local = result.refused.find((r) => r.linuxName === "localadmin");
    assert.match(local?.reason ?? "", /local account/);
  });

  it("a home pre-created as a symlink is not followed: that user is refused", async () => {
    const victim = await makeScratchHost();
    try {
      const dave = login("dave@contoso.com", "admin");
      await symlink(join(victim.root, "etc"), join(p.homeBase, "dave@contoso.com"));
      const result = await apply(host, hostState({ version: 2, logins: [dave] }));
      assert.deepEqual(result.logins, []);
      assert.match(result.refused[0]?.reason ?? "", /symlink/);
      assert.deepEqual(await readdir(p.principalsDir), []);
    } finally {
      await rm(join(p.homeBase, "dave@contoso.com"));
      await removeDir(victim.root);
    }
  });

  it("a symlinked managed directory is never written through", async () => {
    const elsewhere = join(host.root, "elsewhere");
    await mkdir(elsewhere);
    await rm(p.principalsDir, { recursive: true });
    await symlink(elsewhere, p.principalsDir);
    await assert.rejects(apply(host, hostState({ version: 3, logins: [login("erin@contoso.com")] })), {
      code: "ERR_AGENT_UNSAFE_PATH",
    });
    assert.deepEqual(await readdir(elsewhere), []);
    await rm(p.principalsDir);
  });

  it("refuses to take over extrausers files something else wrote", async () => {
    const other = await makeScratchHost();
    try {
      await mkdir(other.paths.extrausersDir);
      await writeFile(other.paths.extrausersPasswd, "snap:x:5000:5000::/home/snap:/bin/sh\n");
      await assert.rejects(apply(other, hostState()), { code: "ERR_AGENT_HOST_CONFLICT" });
      assert.equal(await text(other.paths.extrausersPasswd), "snap:x:5000:5000::/home/snap:/bin/sh\n");
    } finally {
      await removeDir(other.root);
    }
  });

  it("a legacy AADLoginForLinux install is the seed's exit 23", async () => {
    const other = await makeScratchHost();
    try {
      await mkdir(join(other.root, "var/lib/dpkg"), { recursive: true });
      await writeFile(
        join(other.root, "var/lib/dpkg/status"),
        "Package: aadlogin\nStatus: install ok installed\nVersion: 1.0\n\nPackage: bash\nStatus: install ok installed\n",
      );
      await assert.rejects(apply(other, hostState()), { code: "ERR_EXTENSION_LEGACY_INSTALLED" });
      assert.equal(await lstat(other.paths.sshdDropIn).catch(() => undefined), undefined);
    } finally {
      await removeDir(other.root);
    }
  });

  it("another sshd setting that would override the agent's is refused and the drop-in taken back", async () => {
    const other = await makeScratchHost();
    try {
      await writeFile(
        join(other.paths.sshdDropInDir, "00-aaa.conf"),
        "TrustedUserCAKeys /etc/ssh/other_ca\n",
      );
      await assert.rejects(apply(other, hostState()), { code: "ERR_AGENT_HOST_CONFLICT" });
      assert.equal(await lstat(other.paths.sshdDropIn).catch(() => undefined), undefined);
    } finally {
      await removeDir(other.root);
    }
  });

  it("a fetched KRL that does not parse, or is older than the one on disk, is not installed; a newer one is", async () => {
    const other = await makeScratchHost();
    try {
      const v5 = krlBytes({ version: 5n, certificates: [{ caKey: null, serials: [5n] }] });
      const state = hostState({ logins: [login("kim@contoso.com")] }, v5);
      const first = await apply(other, state, { krl: v5 });
      assert.equal(first.krlPending, false);
      const garbage = await apply(other, state, { krl: new Uint8Array([1, 2, 3]) });
      assert.match(garbage.krlProblem ?? "", /does not parse/);
      assert.deepEqual([...(await readFile(other.paths.revokedKeys))], [...v5]);
      assert.deepEqual(
        await readdir(other.paths.principalsDir),
        ["kim@contoso.com"],
        "the rest still applied",
      );
      const v4 = krlBytes({ version: 4n });
      const older = await apply(other, hostState({ version: 2, logins: [login("kim@contoso.com")] }, v4), {
        krl: v4,
      });
      assert.match(older.krlProblem ?? "", /older than the one on disk/);
      assert.deepEqual([...(await readFile(other.paths.revokedKeys))], [...v5]);
      const v6 = krlBytes({ version: 6n, certificates: [{ caKey: null, serials: [5n, 6n] }] });
      const newer = await apply(other, state, { krl: v6 });
      assert.equal(newer.krlProblem, undefined);
      assert.equal(newer.krlPending, true, "installed, though the state named another KRL");
      assert.deepEqual([...(await readFile(other.paths.revokedKeys))], [...v6]);
    } finally {
      await removeDir(other.root);
    }
  });
});
