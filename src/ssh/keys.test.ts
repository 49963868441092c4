import assert from "node:assert/strict";
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { describe, test } from "node:test";
import { ALL_KEY_TYPES, testKeyPair, testSigner, userCertFields } from "../../test/helpers/ssh-fixtures.ts";
import {
  formatCertificate,
  formatPrivateKey,
  formatPublicKey,
  parseKeyOrCertificate,
  parsePrivateKey,
  parsePublicKey,
  parsePublicKeyBlob,
  publicKeyFromJwk,
  publicKeyFromKeyObject,
  publicKeyToJwk,
  renderCertAuthorityLine,
  renderTrustedUserCaKeys,
  SshError,
  SshFormatError,
  SshInvalidKeyError,
  SshUnsupportedTypeError,
  signCertificate,
  splitKeyLine,
  verifySignature,
} from "./index.ts";
import { decodeBase64Strict, encodeBase64, SshWriter } from "./lib/wire.ts";

describe("public keys", () => {
  for (const type of ALL_KEY_TYPES) {
    test(`${type}: text, blob, JWK and KeyObject forms agree`, () => {
      const { publicKey } = testKeyPair(type);
      const line = formatPublicKey(publicKey, "alice@example");
      assert.ok(line.startsWith(`${type} AAAA`));
      const parsed = parsePublicKey(line);
      assert.deepEqual(parsed.blob, publicKey.blob);
      assert.deepEqual(publicKeyFromJwk(publicKeyToJwk(parsed)).blob, publicKey.blob);
      assert.deepEqual(publicKeyFromKeyObject(parsed.keyObject).blob, publicKey.blob);
      assert.equal(splitKeyLine(`  ${line}  \n`).comment, "alice@example");
    });

    test(`${type}: signatures verify, and fail on other data`, () => {
      const signer = testSigner(type);
      const data = new TextEncoder().encode("hello");
      const sig = signer.sign(data);
      verifySignature(signer.publicKey, sig, data);
      assert.throws(() => verifySignature(signer.publicKey, sig, new TextEncoder().encode("hellO")));
    });

    test(`${type}: private key files round-trip`, () => {
      const { privateKey, publicKey } = testKeyPair(type);
      const text = formatPrivateKey(privateKey, "a comment");
      assert.match(text, /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
      const parsed = parsePrivateKey(text);
      assert.deepEqual(parsed.publicKey.blob, publicKey.blob);
      assert.equal(parsed.comment, "a comment");
      assert.deepEqual(parsed.privateKey.export({ format: "jwk" }), privateKey.export({ format: "jwk" }));
    });
  }

  test("a certificate is refused where a plain key is expected, and told apart by parseKeyOrCertificate", () => {
    const cert = signCertificate(
      userCertFields(testKeyPair("ssh-ed25519", "user").publicKey),
      testSigner("ssh-ed25519"),
    );
    assert.throws(() => parsePublicKey(formatCertificate(cert)), SshUnsupportedTypeError);
    assert.ok("certificate" in parseKeyOrCertificate(formatCertificate(cert)));
    assert.ok("key" in parseKeyOrCertificate(formatPublicKey(cert.key)));
  });

  test("DSA and unknown key types are unsupported", () => {
    const dss = new SshWriter().text("ssh-dss").string(new Uint8Array(20)).bytes();
    assert.throws(() => parsePublicKeyBlob(dss), SshUnsupportedTypeError);
    assert.throws(() => parsePublicKey(`ssh-dss ${encodeBase64(dss)}`), SshUnsupportedTypeError);
  });

  test("small-order and non-canonical Ed25519 points are invalid", () => {
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const order8 = Buffer.from("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", "hex");
    const nonCanonical = new Uint8Array(32).fill(0xff);
    nonCanonical[31] = 0x7f; // y = 2^255 - 1 >= p
    for (const bad of [identity, order8, nonCanonical]) {
      const blob = new SshWriter().text("ssh-ed25519").string(bad).bytes();
      assert.throws(() => parsePublicKeyBlob(blob), SshInvalidKeyError);
    }
  });

  test("an ECDSA point off the curve is invalid", () => {
    const { publicKey } = testKeyPair("ecdsa-sha2-nistp256");
    const blob = Uint8Array.from(publicKey.blob);
    blob[blob.length - 1] = (blob[blob.length - 1] as number) ^ 1;
    assert.throws(() => parsePublicKeyBlob(blob), SshInvalidKeyError);
  });

  test("RSA keys below 1024 bits are invalid", () => {
    const small = generateKeyPairSync("rsa", { modulusLength: 768 }).publicKey;
    assert.throws(() => publicKeyFromKeyObject(small), SshInvalidKeyError);
  });

  test("a JWK with private parts is not taken as a public key", () => {
    const jwk = testKeyPair("ssh-ed25519").privateKey.export({ format: "jwk" });
    assert.throws(() => publicKeyFromJwk(jwk), SshInvalidKeyError);
    assert.ok(createPublicKey({ key: jwk, format: "jwk" }));
  });

  test("hostile key lines fail with a typed error", () => {
    const good = formatPublicKey(testKeyPair("ssh-ed25519").publicKey);
    const [type, data] = good.split(" ") as [string, string];
    for (const line of [
      "",
      type,
      `${type} !!!!`,
      `${type} ${data.slice(0, -4)}`,
      `ssh-rsa ${data}`,
      `${type} ${data}\nssh-ed25519 ${data}`,
      `${type} ${data}\0`,
      `${type} ${"A".repeat(70_000)}`,
    ]) {
      assert.throws(() => parsePublicKey(line), SshError, JSON.stringify(line.slice(0, 80)));
    }
    assert.throws(() => decodeBase64Strict("AB==", "x"), /not canonical/);
  });

  test("encrypted or malformed private key files are refused", () => {
    const text = formatPrivateKey(testKeyPair("ssh-ed25519").privateKey);
    assert.throws(() => parsePrivateKey(text.replace("BEGIN OPENSSH", "BEGIN RSA")), SshFormatError);
    const lines = text.trim().split("\n");
    const truncated = [...lines.slice(0, 2), lines.at(-1)].join("\n");
    assert.throws(() => parsePrivateKey(truncated), SshFormatError);
  });

  test("trust lines", () => {
    const ca = testKeyPair("ssh-ed25519", "ca").publicKey;
    const old = testKeyPair("ecdsa-sha2-nistp256", "ca").publicKey;
    const file = renderTrustedUserCaKeys([ca, old]);
    assert.equal(file.split("\n").length, 3);
    assert.deepEqual(parsePublicKey(file.split("\n")[1] as string).blob, old.blob);
    const line = renderCertAuthorityLine(["*.vms.example", "[10.0.0.4]:2222"], ca);
    assert.match(
      line,
      /^@cert-authority \*\.vms\.example,\[10\.0\.0\.4\]:2222 ssh-ed25519 AAAA\S+ hostpass host CA\n$/,
    );
    assert.throws(() => renderCertAuthorityLine(["a b"], ca), TypeError);
    assert.throws(() => renderCertAuthorityLine(["a,b"], ca), TypeError);
  });
});
