import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidLinuxNameError } from "./errors.ts";
import {
  LINUX_NAME_MAX_LENGTH,
  linuxNameForAppId,
  linuxNameFromUpn,
  validateLinuxName,
} from "./linux-name.ts";
import { normalizeUpn } from "./upn.ts";

const problemOf = (name: string): string | undefined => {
  try {
    validateLinuxName(name);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof InvalidLinuxNameError);
    return error.problem;
  }
};

describe("validateLinuxName", () => {
  it("refuses the hostile names of security-notes §5 (items 1, 3-8, 12, 15)", () => {
    const cases: [string, string][] = [
      ["root", "reserved"],
      ["alice\nroot", "charset"],
      ["alice#x", "charset"],
      ["alice smith", "charset"],
      ["alice\tsmith", "charset"],
      ['command="sh"', "charset"],
      ["alice\r", "charset"],
      ["al\u0000ice", "charset"],
      ["a\u202eb", "charset"],
      ["", "empty"],
      ["*", "charset"],
      ["al*", "charset"],
      ["a?", "charset"],
      ["alice,bob", "charset"],
      ["..", "leading_character"],
      [".", "leading_character"],
      ["a/b", "charset"],
      ["-rf", "leading_character"],
      ["1000", "all_digits"],
      ["a..b", "dot_dot"],
      ["alice.", "trailing_character"],
      ["Alice", "not_normalized"],
      ["al@b@c", "at_sign"],
      ["alice@", "trailing_character"],
      ["a@.b", "at_sign"],
      ["systemd-network", "reserved"],
      ["sudo", "reserved"],
      ["docker", "reserved"],
      ["jos\u00e9", "charset"],
      ["a".repeat(LINUX_NAME_MAX_LENGTH + 1), "too_long"],
    ];
    for (const [name, problem] of cases) assert.equal(problemOf(name), problem, JSON.stringify(name));
  });

  it("accepts ordinary names up to the limit", () => {
    for (const name of ["alice", "alice@contoso.com", "a.b-c_d@x.io", "a".repeat(LINUX_NAME_MAX_LENGTH)]) {
      assert.equal(validateLinuxName(name), name);
    }
  });
});

describe("linuxNameFromUpn", () => {
  it("maps case and normalisation variants of a UPN to one name", () => {
    const names = ["Alice@Contoso.com", "ALICE@CONTOSO.COM", "alice@contoso.com"].map(linuxNameFromUpn);
    assert.deepEqual(new Set(names), new Set(["alice@contoso.com"]));
    assert.equal(normalizeUpn("Jose\u0301@x.com").key, normalizeUpn("JOS\u00c9@X.COM").key);
  });

  it("refuses rather than truncates names that differ only after the limit", () => {
    const a = `${"a".repeat(30)}-1@contoso.com`;
    const b = `${"a".repeat(30)}-2@contoso.com`;
    assert.throws(() => linuxNameFromUpn(a), InvalidLinuxNameError);
    assert.throws(() => linuxNameFromUpn(b), InvalidLinuxNameError);
  });
});

describe("linuxNameForAppId", () => {
  it("derives a fixed-length, one-to-one name from the app id only", () => {
    const a = linuxNameForAppId("0b1f6471-1bf0-4dda-aec3-cb9272f09590");
    assert.match(a, /^sp-[a-z2-7]{26}$/);
    assert.equal(linuxNameForAppId("0B1F6471-1BF0-4DDA-AEC3-CB9272F09590"), a);
    assert.notEqual(linuxNameForAppId("0b1f6471-1bf0-4dda-aec3-cb9272f09591"), a);
  });
});
