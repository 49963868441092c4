import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  AttemptLimiter,
  AttemptsLockedError,
  enrollTotp,
  MfaFailedError,
  totpCodeAt,
  verifyTotp,
} from "./index.ts";

describe("TOTP", () => {
  test("enrolment gives an otpauth URI and an SVG QR code", async () => {
    const e = await enrollTotp("hostpass", "alice@contoso.com");
    assert.match(e.uri, /^otpauth:\/\/totp\/hostpass:alice%40contoso\.com\?.*secret=[A-Z2-7]+/);
    assert.match(e.qrSvg, /^<svg/);
    assert.match(e.secret, /^[A-Z2-7]{32}$/);
  });

  test("a current code verifies once; neighbours within one step verify; replays and old codes do not", async () => {
    const { secret } = await enrollTotp("hostpass", "a");
    const now = Date.UTC(2026, 10, 24, 10, 0, 15);
    const step = verifyTotp(secret, totpCodeAt(secret, now), now, null);
    assert.equal(step, Math.floor(now / 30_000));
    assert.throws(() => verifyTotp(secret, totpCodeAt(secret, now), now, step), MfaFailedError, "replay");
    assert.equal(
      verifyTotp(secret, totpCodeAt(secret, now + 30_000), now, step),
      step + 1,
      "next step accepted",
    );
    assert.throws(
      () => verifyTotp(secret, totpCodeAt(secret, now - 90_000), now, null),
      MfaFailedError,
      "too old",
    );
    for (const bad of ["", "12345", "1234567", "abcdef", " 123456"])
      assert.throws(() => verifyTotp(secret, bad, now, null), MfaFailedError);
  });
});

describe("attempt limiter", () => {
  test("locks a key after repeated failures, for the lock period only", () => {
    const limiter = new AttemptLimiter({ maxFailures: 5, windowMs: 60_000, lockMs: 300_000 });
    const keys = ["user:alice", "ip:10.0.0.1"];
    for (let i = 0; i < 4; i++) limiter.recordFailure(keys, 1000 + i);
    limiter.assertAllowed(keys, 2000);
    limiter.recordFailure(keys, 2000);
    assert.throws(() => limiter.assertAllowed(["ip:10.0.0.1"], 3000), AttemptsLockedError);
    assert.throws(
      () => limiter.assertAllowed(["user:alice"], 3000),
      (e: AttemptsLockedError) => e.retryAfterSeconds === 299,
    );
    limiter.assertAllowed(["user:bob"], 3000);
    limiter.assertAllowed(keys, 2000 + 300_000);
  });

  test("failures outside the window do not add up; a success clears the key", () => {
    const limiter = new AttemptLimiter({ maxFailures: 3, windowMs: 10_000, lockMs: 60_000 });
    limiter.recordFailure(["k"], 0);
    limiter.recordFailure(["k"], 1);
    limiter.recordFailure(["k"], 20_000);
    limiter.assertAllowed(["k"], 20_001);
    limiter.recordFailure(["k"], 20_002);
    limiter.recordSuccess(["k"]);
    limiter.recordFailure(["k"], 20_003);
    limiter.assertAllowed(["k"], 20_004);
  });
});
