import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MemoryRateCounters } from "../shared/rate-counters.ts";
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
  test("locks a key after repeated failures, for the lock period only", async () => {
    const limiter = new AttemptLimiter({ maxFailures: 5, windowMs: 60_000, lockMs: 300_000 });
    const keys = ["user:alice", "ip:10.0.0.1"];
    for (let i = 0; i < 4; i++) await limiter.recordFailure(keys, 1000 + i);
    await limiter.assertAllowed(keys, 2000);
    await limiter.recordFailure(keys, 2000);
    await assert.rejects(limiter.assertAllowed(["ip:10.0.0.1"], 3000), AttemptsLockedError);
    await assert.rejects(
      limiter.assertAllowed(["user:alice"], 3000),
      (e: AttemptsLockedError) => e.retryAfterSeconds === 299,
    );
    await limiter.assertAllowed(["user:bob"], 3000);
    await limiter.assertAllowed(keys, 2000 + 300_000);
  });

  test("failures outside the window do not add up; a success clears the key", async () => {
    const limiter = new AttemptLimiter({ maxFailures: 3, windowMs: 10_000, lockMs: 60_000 });
    await limiter.recordFailure(["k"], 0);
    await limiter.recordFailure(["k"], 1);
    await limiter.recordFailure(["k"], 20_000);
    await limiter.assertAllowed(["k"], 20_001);
    await limiter.recordFailure(["k"], 20_002);
    await limiter.recordSuccess(["k"]);
    await limiter.recordFailure(["k"], 20_003);
    await limiter.assertAllowed(["k"], 20_004);
  });

  test("limiters on shared counters count together; differently named ones stay apart", async () => {
    const counters = new MemoryRateCounters();
    const limits = { maxFailures: 2, windowMs: 10_000, lockMs: 60_000 };
    const a = new AttemptLimiter(limits, counters, "account");
    const b = new AttemptLimiter(limits, counters, "account");
    const other = new AttemptLimiter(limits, counters, "source");
    await a.recordFailure(["k"], 0);
    await b.recordFailure(["k"], 1);
    await assert.rejects(a.assertAllowed(["k"], 2), AttemptsLockedError);
    await other.assertAllowed(["k"], 2);
  });
});
