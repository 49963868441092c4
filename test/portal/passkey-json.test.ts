import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCredential } from "../../src/portal/routes/passkey-sign-in.ts";

/** The passkey response comes as JSON in a form field; the same strictness as API bodies (issue 11 item 7). */
describe("portal: the WebAuthn response field", () => {
  it("takes an object with an id", () => {
    assert.deepEqual(parseCredential('{"id":"abc","type":"public-key"}'), { id: "abc", type: "public-key" });
  });
  it("refuses a member named twice, at any depth", () => {
    assert.equal(parseCredential('{"id":"abc","id":"other"}'), undefined);
    assert.equal(parseCredential('{"id":"abc","response":{"userHandle":"a","userHandle":"b"}}'), undefined);
  });
  it("refuses what is not an object with a string id", () => {
    for (const text of ["", "[]", "null", '{"id":1}', "{bad"]) assert.equal(parseCredential(text), undefined);
  });
});
