import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalJson } from "./canonical-json.ts";
import { InvalidAuditInputError } from "./errors.ts";

describe("canonicalJson", () => {
  it("sorts keys at every level and writes no whitespace", () => {
    assert.equal(
      canonicalJson({ b: [{ z: 1, a: "x" }], a: null, c: { é: true, e: "\n" } }),
      '{"a":null,"b":[{"a":"x","z":1}],"c":{"e":"\\n","é":true}}',
    );
  });

  it("refuses what JSON cannot hold instead of dropping it", () => {
    for (const bad of [
      { a: undefined },
      { a: 1n },
      { a: Number.NaN },
      { a: () => 1 },
      { a: new Date(0) },
      { a: Symbol("s") },
    ]) {
      assert.throws(() => canonicalJson(bad), InvalidAuditInputError);
    }
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    assert.throws(() => canonicalJson(deep), InvalidAuditInputError);
  });
});
