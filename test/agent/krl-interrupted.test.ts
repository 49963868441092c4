/**
 * A KRL write interrupted half-way leaves the old KRL in place (sshd refuses every key when its
 * RevokedKeys file does not parse, so a torn KRL would lock everyone out).
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { EMPTY_RECORD } from "../../src/agent/agent-store.ts";
import { HostFiles } from "../../src/agent/host-files.ts";
import { makeTempDir, removeDir } from "../helpers/openssh.ts";
import { krlBytes, sha256Hex } from "./helpers/host-state-fixture.ts";

const run = promisify(execFile);
const node = process.execPath;

describe("interrupted KRL writes", () => {
  it("the disk filling up half-way through a KRL write leaves the old KRL, whole, and no temp file", async () => {
    const mountPoint = await makeTempDir("hostpass-krl-tmpfs-");
    try {
      const fixture = join(import.meta.dirname, "fixtures/krl-disk-full.ts");
      const { stdout } = await run(
        "unshare",
        [
          "--mount",
          "--propagation",
          "private",
          "sh",
          "-c",
          'mount -t tmpfs -o size=6m hostpass-krl-test "$1" && TMPDIR="$1" exec "$2" "$3"',
          "sh",
          mountPoint,
          node,
          fixture,
        ],
        { encoding: "utf8", timeout: 60_000 },
      );
      const result = JSON.parse(stdout.trim().split("\n").pop() as string);
      assert.equal(result.error, "ENOSPC");
      assert.ok(result.newKrlBytes > 1_000_000);
      assert.equal(result.keptOld, true);
      assert.deepEqual(result.leftovers, []);
      assert.equal(result.sshdAccepts, true);
    } finally {
      await removeDir(mountPoint);
    }
  });

  it("a writer killed at any moment leaves the old KRL or the new one, never a torn file", async () => {
    const dir = await makeTempDir("hostpass-krl-kill-");
    try {
      const path = join(dir, "revoked.krl");
      const small = krlBytes({ version: 1n, certificates: [{ caKey: null, serials: [7n] }] });
      const serials = Array.from({ length: 200_000 }, (_, i) => BigInt(i + 1) * 977n);
      const large = krlBytes({ version: 2n, certificates: [{ caKey: null, serials }] });
      await new HostFiles(dir, EMPTY_RECORD).write(path, small, 0o644);
      const writer = `
        import { HostFiles } from ${JSON.stringify(join(import.meta.dirname, "../../src/agent/host-files.ts"))};
        import { EMPTY_RECORD } from ${JSON.stringify(join(import.meta.dirname, "../../src/agent/agent-store.ts"))};
        const small = Buffer.from(${JSON.stringify(Buffer.from(small).toString("base64"))}, "base64");
        const chunks = [];
        process.stdin.on("data", (d) => chunks.push(d));
        process.stdin.once("end", async () => {
          const large = Buffer.concat(chunks);
          process.stdout.write("ready\\n");
          for (let i = 0; ; i++) await new HostFiles(${JSON.stringify(dir)}, EMPTY_RECORD).write(${JSON.stringify(path)}, i % 2 ? small : large, 0o644);
        });`;
      const allowed = new Set([sha256Hex(small), sha256Hex(large)]);
      for (let round = 0; round < 8; round++) {
        const child = spawn(node, ["--input-type=module", "-e", writer], {
          stdio: ["pipe", "pipe", "inherit"],
        });
        child.stdin.end(Buffer.from(large));
        await new Promise((resolve) => child.stdout.once("data", resolve));
        await new Promise((resolve) => setTimeout(resolve, 20 + round * 37));
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGKILL");
        await exited;
        assert.ok(allowed.has(sha256Hex(await readFile(path))), `round ${round}: the KRL is torn`);
      }
    } finally {
      await removeDir(dir);
    }
  });
});
