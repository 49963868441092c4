import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findDuplicateJsonKey, jwsHasDuplicateKeys } from "./strict-json.ts";

const b64 = (text: string) => Buffer.from(text).toString("base64url");

describe("duplicate JSON member names", () => {
  const cases: Array<[string, string | undefined]> = [
    ['{"a":1,"b":2}', undefined],
    ['{"a":1,"a":2}', "a"],
    ['{"a":1,"\\u0061":2}', "a"],
    ['{"x":{"a":1},"y":{"a":2}}', undefined],
    ['[{"a":1},{"a":1}]', undefined],
    ['{"outer":[{"k":1,"k":2}]}', "k"],
    ['{"a":{"b":{"c":1,"c":1}}}', "c"],
    ['{"A":1,"a":2}', undefined],
    // The Kelvin sign is not "K": no Unicode folding either.
    ['{"\\u212a":1,"K":2}', undefined],
    ['{"":1,"":2}', ""],
    ['"text"', undefined],
  ];
  for (const [text, expected] of cases) {
    it(`${text} → ${expected === undefined ? "none" : JSON.stringify(expected)}`, () => {
      assert.equal(findDuplicateJsonKey(text), expected);
    });
  }

  it("finds duplicates in a JWS header or payload, not elsewhere", () => {
    assert.equal(jwsHasDuplicateKeys(`${b64('{"alg":"none","alg":"EdDSA"}')}.${b64("{}")}.sig`), true);
    assert.equal(
      jwsHasDuplicateKeys(`${b64('{"alg":"EdDSA"}')}.${b64('{"htm":"GET","htm":"POST"}')}.x`),
      true,
    );
    assert.equal(jwsHasDuplicateKeys(`${b64('{"alg":"EdDSA"}')}.${b64('{"htm":"GET"}')}.x`), false);
    assert.equal(jwsHasDuplicateKeys("not-a-jwt"), false);
    assert.equal(jwsHasDuplicateKeys(`${b64("{bad")}.${b64("{}")}.x`), false);
  });
});
