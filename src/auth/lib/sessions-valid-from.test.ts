import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { predatesSessions } from "./sessions-valid-from.ts";

describe("a token against its principal's sessions-valid-from time", () => {
  const revokedAt = Date.parse("2026-03-01T10:00:00.400Z");
  const second = Math.floor(revokedAt / 1000);
  const cases: Array<[string, number | undefined, number | undefined, boolean]> = [
    ["never revoked", second - 100, undefined, false],
    ["never revoked (0)", second - 100, 0, false],
    ["issued long before", second - 100, revokedAt, true],
    ["issued in the second of the revocation (before or after it: refused)", second, revokedAt, true],
    ["issued the second after", second + 1, revokedAt, false],
    ["no issue time at all", undefined, revokedAt, true],
    ["an issue time that is not a number", Number.NaN, revokedAt, true],
  ];
  for (const [what, iat, validFrom, expected] of cases) {
    it(`${what}: ${expected ? "void" : "valid"}`, () =>
      assert.equal(predatesSessions(iat, validFrom), expected));
  }
});
