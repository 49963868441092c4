import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidUpnError } from "./errors.ts";
import { normalizeUpn } from "./upn.ts";

describe("normalizeUpn", () => {
  it("keeps the case for display and compares in NFC lower case", () => {
    assert.deepEqual(normalizeUpn("Jose\u0301@Contoso.COM"), {
      upn: "Jos\u00e9@Contoso.COM",
      key: "jos\u00e9@contoso.com",
    });
  });

  it("refuses malformed and hostile UPNs", () => {
    for (const upn of [
      "",
      "alice",
      "@contoso.com",
      "alice@",
      "a@b@contoso.com",
      "alice smith@contoso.com",
      "alice\n@contoso.com",
      "alice\u0000@contoso.com",
      "al\u202eice@contoso.com",
      "al\ud800ice@contoso.com",
      "alice,root@contoso.com",
      "alice'--@contoso.com",
      ".alice@contoso.com",
      "a..b@contoso.com",
      "alice@contoso",
      "alice@-contoso.com",
      `${"a".repeat(65)}@contoso.com`,
      `alice@${"a".repeat(120)}.com`,
    ]) {
      assert.throws(() => normalizeUpn(upn), InvalidUpnError, JSON.stringify(upn));
    }
  });
});
