/** Extension disable: every file the agent touched comes back byte for byte (mode and owner too). */
import assert from "node:assert/strict";
import { lstat, readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { hostRecords, openAgentStore } from "../../src/agent/agent-store.ts";
import { applyHostState } from "../../src/agent/apply-host-state.ts";
import { systemTools } from "../../src/agent/lib/system-tools.ts";
import { restoreHost } from "../../src/agent/restore-host.ts";
import { parsePublicKey } from "../../src/ssh/index.ts";
import { removeDir } from "../helpers/openssh.ts";
import { hostState, krlBytes, login } from "./helpers/host-state-fixture.ts";
import { hostKeyPub, makeScratchHost, type ScratchHost } from "./helpers/scratch-host.ts";

const tools = systemTools({ reload: "none" });

/** Every file and directory under the host's etc/, var/lib (but the agent's own state) and home/. */
async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string) => {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const rel = relative(root, path);
      if (rel === "var/lib/hostpass-agent") continue;
      const st = await lstat(path);
      const meta = `${st.mode.toString(8)} ${st.uid}:${st.gid}`;
      if (st.isDirectory()) {
        out.set(rel, `dir ${meta}`);
        await walk(path);
      } else {
        out.set(rel, `${meta} ${(await readFile(path)).toString("base64")}`);
      }
    }
  };
  for (const top of ["etc", "var", "home"]) await walk(join(root, top));
  return out;
}

async function enable(host: ScratchHost) {
  const store = await openAgentStore(host.paths);
  return applyHostState(host.paths, tools, hostRecords(store), {
    state: hostState({ logins: [login("alice@contoso.com", "admin"), login("bob@contoso.com")] }),
    stage: "connected",
    krl: krlBytes(),
    hostKeys: [parsePublicKey(await hostKeyPub(host))],
    now: Date.now(),
  });
}

async function disable(host: ScratchHost) {
  return restoreHost(host.paths, tools, hostRecords(await openAgentStore(host.paths)));
}

describe("extension disable restores the host", () => {
  for (const include of [true, false]) {
    it(`leaves sshd_config, nsswitch.conf, PAM and sudoers exactly as before (${include ? "Debian's Include" : "no Include in sshd_config"})`, async () => {
      const host = await makeScratchHost({ include });
      try {
        const before = await snapshot(host.root);
        const enabled = await enable(host);
        assert.ok(enabled.changed.length > 5);
        const during = await snapshot(host.root);
        assert.notDeepEqual(during, before);
        assert.equal(during.get("etc/sudoers.d/hostpass-admins")?.startsWith("100440"), true);
        if (!include)
          assert.match(
            await readFile(host.paths.sshdConfig, "utf8"),
            /^# hostpass-agent: directory login settings\nInclude /,
          );
        const restored = await disable(host);
        assert.ok(restored.changed.includes(host.paths.nsswitch));
        assert.deepEqual(await snapshot(host.root), before);
        assert.deepEqual((await disable(host)).changed, [], "a second disable has nothing left to do");
        await tools.checkSshdConfig(host.paths.sshdConfig);
      } finally {
        await removeDir(host.root);
      }
    });
  }

  it("keeps an administrator's own later edits and removes only the agent's", async () => {
    const host = await makeScratchHost();
    try {
      await enable(host);
      const edited = `${await readFile(host.paths.nsswitch, "utf8")}automount: files\n`;
      await writeFile(host.paths.nsswitch, edited);
      await disable(host);
      const after = await readFile(host.paths.nsswitch, "utf8");
      assert.match(after, /^automount: files$/m);
      assert.doesNotMatch(after, /extrausers/);
      assert.match(after, /^passwd:\s+files systemd$/m);
    } finally {
      await removeDir(host.root);
    }
  });
});
