import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidDirectoryInputError } from "./errors.ts";
import { hashPassword, needsRehash, verifyPassword } from "./password.ts";

describe("password hashing", () => {
  it("hashes with scrypt N=2^17 r=8 p=1 and verifies in constant time", async () => {
    const hash = await hashPassword("correct horse battery staple");
    assert.match(hash, /^\$scrypt\$ln=17,r=8,p=1\$/);
    assert.equal(await verifyPassword(hash, "correct horse battery staple"), true);
    assert.equal(await verifyPassword(hash, "correct horse battery stapl"), false);
    assert.equal(needsRehash(hash), false);
    assert.notEqual(await hashPassword("correct horse battery staple"), hash, "salted");
  });

  it("refuses short passwords, unknown users and tampered parameters", async () => {
    await assert.rejects(hashPassword("short"), InvalidDirectoryInputError);
    assert.equal(await verifyPassword(undefined, "anything at all"), false);
    const hash = await hashPassword("another long password");
    // A row edited to ask for 2^30 iterations must not make a login burn memory.
    assert.equal(await verifyPassword(hash.replace("ln=17", "ln=30"), "another long password"), false);
    assert.equal(await verifyPassword("plaintext", "plaintext"), false);
    assert.equal(needsRehash(hash.replace("ln=17", "ln=14")), true);
  });
});
