import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertLocalVmSupported, REQUIRED_PATHS } from "./host-support.ts";

const all = new Set(REQUIRED_PATHS);

describe("local machine host support", () => {
  it("accepts root on Linux with every program", () => {
    assertLocalVmSupported({ platform: "linux", uid: 0, found: all });
  });

  it("refuses another OS, a non-root user, or missing programs with ERR_LOCALVM_UNSUPPORTED", () => {
    const cases = [
      [{ platform: "darwin", uid: 0, found: all }, /need Linux.*darwin/],
      [{ platform: "linux", uid: 1000, found: all }, /need root/],
      [
        { platform: "linux", uid: 0, found: new Set([...all].filter((p) => p !== "/usr/bin/nsenter")) },
        /\/usr\/bin\/nsenter.*setup\.sh/,
      ],
    ] as const;
    for (const [facts, message] of cases) {
      assert.throws(
        () => assertLocalVmSupported(facts),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, "ERR_LOCALVM_UNSUPPORTED");
          assert.match(error.message, message);
          return true;
        },
      );
    }
  });
});
