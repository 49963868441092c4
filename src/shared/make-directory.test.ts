import assert from "node:assert/strict";
import { mkdtemp, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { makeDirectory } from "./make-directory.ts";

describe("makeDirectory (mkdir -p that always ends)", () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "hostpass-mkdir-"));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it("makes missing parents with the mode, and accepts an existing directory", async () => {
    const deep = join(root, "a", "b", "c");
    await makeDirectory(deep, 0o700);
    for (const dir of [join(root, "a"), join(root, "a", "b"), deep]) {
      const st = await stat(dir);
      assert.ok(st.isDirectory());
      assert.equal(st.mode & 0o777, 0o700, dir);
    }
    await makeDirectory(deep);
    await makeDirectory(root);
  });

  it("parallel calls for the same tree all succeed", async () => {
    const deep = join(root, "p", "q", "r");
    await Promise.all(Array.from({ length: 8 }, () => makeDirectory(deep)));
    assert.ok((await stat(deep)).isDirectory());
  });

  // Node's recursive mkdir never settles on these (it spins); the timeout would catch a regression.
  it("under /proc: ENOENT at once instead of spinning", { timeout: 5000 }, async () => {
    await assert.rejects(makeDirectory("/proc/hostpass-nope/x"), { code: "ENOENT" });
  });

  it("below a dangling symlink: ENOENT at once", { timeout: 5000 }, async () => {
    const link = join(root, "dangling");
    await symlink(join(root, "missing-target"), link);
    await assert.rejects(makeDirectory(join(link, "sub", "dir")), { code: "ENOENT" });
    await assert.rejects(makeDirectory(link), { code: "ENOENT" });
  });

  it("a file in the way: ENOTDIR below it, EEXIST for the file itself", async () => {
    const file = join(root, "file");
    await writeFile(file, "x");
    await assert.rejects(makeDirectory(join(file, "sub")), { code: "ENOTDIR" });
    await assert.rejects(makeDirectory(file), { code: "EEXIST" });
  });

  it("a symlink to a directory counts as the directory", async () => {
    const link = join(root, "to-a");
    await symlink(join(root, "a"), link);
    await makeDirectory(join(link, "b", "new"));
    assert.ok((await stat(join(root, "a", "b", "new"))).isDirectory());
  });
});
