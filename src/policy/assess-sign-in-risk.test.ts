import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assessSignInRisk, type SignInHistoryEntry } from "./assess-sign-in-risk.ts";
import { InvalidSignInContextError } from "./errors.ts";

const T = Date.parse("2026-11-24T12:00:00Z");
const at = (minutesAgo: number) => new Date(T - minutesAgo * 60_000);
const ok = (ip: string, minutesAgo = 60 * 24, principalId = "alice"): SignInHistoryEntry => ({
  principalId,
  ip,
  time: at(minutesAgo),
  success: true,
});
const fail = (n: number, ip = "192.0.2.66", minutesAgo = 5, principalId = "alice"): SignInHistoryEntry[] =>
  Array.from({ length: n }, (_, i) => ({ principalId, ip, time: at(minutesAgo + i * 0.1), success: false }));
const attempt = (ip: string) => ({ principalId: "alice", ip, time: new Date(T) });
const HOME = [ok("198.51.100.7"), ok("2001:db8:1:2:aaaa::1")];

describe("assessSignInRisk", () => {
  it("familiar address, no failures: none", () => {
    const r = assessSignInRisk(HOME, attempt("198.51.100.7"));
    assert.deepEqual(r, { level: "none", reasons: [], recentFailures: 0, familiarIp: true });
    // IPv6 privacy addresses: the same /64 is familiar; mapped IPv4 is the IPv4 address
    assert.equal(assessSignInRisk(HOME, attempt("2001:db8:1:2:ffff::9")).familiarIp, true);
    assert.equal(assessSignInRisk(HOME, attempt("2001:db8:1:3::1")).familiarIp, false);
    assert.equal(assessSignInRisk(HOME, attempt("::ffff:198.51.100.7")).familiarIp, true);
  });

  it("unfamiliar address after failed attempts: medium at 3, high at 10", () => {
    assert.equal(assessSignInRisk([...HOME, ...fail(2)], attempt("192.0.2.66")).level, "low");
    const medium = assessSignInRisk([...HOME, ...fail(3)], attempt("192.0.2.66"));
    assert.deepEqual(medium, {
      level: "medium",
      reasons: ["unfamiliarIp", "recentFailures"],
      recentFailures: 3,
      familiarIp: false,
    });
    assert.equal(assessSignInRisk([...HOME, ...fail(10)], attempt("192.0.2.66")).level, "high");
    // no baseline at all (a new user) still scores the failures
    assert.equal(assessSignInRisk(fail(3), attempt("192.0.2.66")).level, "medium");
    assert.equal(assessSignInRisk([], attempt("192.0.2.66")).level, "none");
  });

  it("unfamiliar address alone is low; many failures from a familiar one are low", () => {
    assert.equal(assessSignInRisk(HOME, attempt("203.0.113.1")).level, "low");
    assert.equal(
      assessSignInRisk([...HOME, ...fail(10, "198.51.100.7")], attempt("198.51.100.7")).level,
      "low",
    );
    assert.equal(
      assessSignInRisk([...HOME, ...fail(9, "198.51.100.7")], attempt("198.51.100.7")).level,
      "none",
    );
  });

  it("counts only this principal's failures inside the 15-minute window, and only past history", () => {
    const old = fail(5, "192.0.2.66", 16);
    assert.equal(assessSignInRisk([...HOME, ...old], attempt("192.0.2.66")).recentFailures, 0);
    const others = fail(5, "192.0.2.66", 1, "bob");
    assert.equal(assessSignInRisk([...HOME, ...others], attempt("192.0.2.66")).recentFailures, 0);
    const future = fail(5, "192.0.2.66", -1);
    assert.equal(assessSignInRisk([...HOME, ...future], attempt("192.0.2.66")).recentFailures, 0);
    // a success older than 90 days does not make an address familiar
    assert.equal(
      assessSignInRisk([ok("203.0.113.1", 91 * 24 * 60)], attempt("203.0.113.1")).familiarIp,
      false,
    );
  });

  it("a password spray from the address raises the level one step", () => {
    const spray = ["a", "b", "c", "d", "e"].flatMap((p) => fail(1, "192.0.2.99", 2, p));
    const r = assessSignInRisk([...HOME, ...spray], attempt("192.0.2.99"));
    assert.equal(r.level, "medium");
    assert.deepEqual(r.reasons, ["unfamiliarIp", "passwordSpray"]);
    const high = assessSignInRisk([...HOME, ...spray, ...fail(10, "192.0.2.99")], attempt("192.0.2.99"));
    assert.equal(high.level, "high");
  });

  it("is deterministic and tolerates malformed history, but not a malformed attempt", () => {
    const h = [
      ...HOME,
      ...fail(3),
      { principalId: "alice", ip: "garbage", time: new Date(Number.NaN), success: true },
    ];
    assert.deepEqual(assessSignInRisk(h, attempt("192.0.2.66")), assessSignInRisk(h, attempt("192.0.2.66")));
    assert.throws(() => assessSignInRisk(HOME, attempt("1.2.3")), InvalidSignInContextError);
  });
});
