import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createBackgroundErrors, DEGRADED_FOR_MS } from "./background-errors.ts";
import { HostpassError } from "./errors.ts";
import {
  failureCodeOf,
  failureReasonOf,
  PUBLIC_REASON_MAX,
  publicFailureOf,
  publicMessageOf,
} from "./public-failure.ts";

class Refused extends HostpassError {
  readonly code = "ERR_TEST_REFUSED";
  readonly kind = "forbidden";
}
class Down extends HostpassError {
  readonly code = "ERR_TEST_DOWN";
  readonly kind = "unavailable";
}
class Bug extends HostpassError {
  readonly code = "ERR_TEST_BUG";
  readonly kind = "internal";
}

describe("public failure: stable code and public reason, never internal text", () => {
  test("a refusal keeps its own code and user-facing message, on one line and bounded", () => {
    assert.deepEqual(publicFailureOf(new Refused("not allowed\n  here")), {
      code: "ERR_TEST_REFUSED",
      reason: "not allowed here",
    });
    const long = publicMessageOf(new Refused("x".repeat(5000)));
    assert.equal(long.length, PUBLIC_REASON_MAX);
  });

  test("internal and unavailable errors keep their code but not their text", () => {
    const secret = "connect ECONNREFUSED 10.0.0.5:5432 password=hunter2";
    for (const error of [new Down(secret), new Bug(secret)]) {
      const { code, reason } = publicFailureOf(error);
      assert.equal(code, error.code);
      assert.ok(!reason.includes("ECONNREFUSED"), reason);
    }
  });

  test("anything that is not a hostpass error is ERR_INTERNAL with a fixed text", () => {
    for (const error of [new Error("SQLITE_CORRUPT /var/lib/x.db"), "text", undefined, { code: "ENOENT" }]) {
      assert.equal(failureCodeOf(error), "ERR_INTERNAL");
      assert.equal(failureReasonOf(error), "ERR_INTERNAL: internal error");
    }
  });
});

describe("background errors", () => {
  test("counted per source, logged at most once per 10 s, degraded for 5 minutes on the injected clock", () => {
    let now = 1_000_000;
    const logged: string[] = [];
    const errors = createBackgroundErrors({ clock: () => now, log: (source) => logged.push(source) });
    assert.deepEqual(errors.health(), { ok: true, sources: [] });
    errors.record("rbacSync", new Error("one"));
    now += 250;
    errors.record("rbacSync", new Refused("two"));
    assert.deepEqual(logged, ["rbacSync"]);
    now += 10_000;
    errors.record("rbacSync", new Error("three"));
    assert.deepEqual(logged, ["rbacSync", "rbacSync"]);
    const [sync] = errors.health().sources;
    assert.equal(sync?.count, 3);
    assert.equal(sync?.lastMessage, "three");
    assert.equal(sync?.lastCode, "ERR_INTERNAL");
    assert.equal(errors.health().ok, false);
    now += DEGRADED_FOR_MS;
    assert.equal(errors.health().ok, true, "ok again five minutes after the last error");
    assert.equal(errors.health().sources[0]?.count, 3, "the count stays");
  });

  test("a logger that throws does not lose the count", () => {
    const errors = createBackgroundErrors({
      clock: () => 0,
      log: () => {
        throw new Error("log down");
      },
    });
    errors.record("x", new Error("y"));
    assert.equal(errors.health().sources[0]?.count, 1);
  });
});
