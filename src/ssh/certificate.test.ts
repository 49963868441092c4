import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ALL_KEY_TYPES,
  nowSeconds,
  testKeyPair,
  testSigner,
  userCertFields,
} from "../../test/helpers/ssh-fixtures.ts";
import {
  formatCertificate,
  isValidAt,
  keyObjectSigner,
  parseCertificate,
  parseCertificateText,
  SshCertificateError,
  SshFormatError,
  SshSignatureAlgorithmError,
  SshSignatureInvalidError,
  SshUnsupportedTypeError,
  signCertificate,
} from "./index.ts";
import { SshReader, SshWriter } from "./lib/wire.ts";

describe("certificates", () => {
  for (const caType of ALL_KEY_TYPES) {
    for (const userType of ALL_KEY_TYPES) {
      test(`${userType} key signed by a ${caType} CA round-trips`, () => {
        const fields = userCertFields(testKeyPair(userType, "user").publicKey, {
          principals: ["alice", "bob"],
          criticalOptions: { "source-address": "127.0.0.1/32", "force-command": "/bin/true" },
          extensions: { "permit-pty": "", "permit-X11-forwarding": "" },
        });
        const cert = signCertificate(fields, testSigner(caType));
        const parsed = parseCertificateText(formatCertificate(cert, "comment here"));
        assert.equal(parsed.type, `${userType}-cert-v01@openssh.com`);
        assert.deepEqual(parsed.key.blob, fields.key.blob);
        assert.equal(parsed.serial, 4242n);
        assert.equal(parsed.keyId, "tenant-1/object-1");
        assert.deepEqual(parsed.principals, ["alice", "bob"]);
        assert.equal(parsed.validAfter, fields.validAfter);
        assert.equal(parsed.validBefore, fields.validBefore);
        assert.deepEqual({ ...parsed.criticalOptions }, { ...fields.criticalOptions });
        assert.deepEqual(Object.keys(parsed.extensions), ["permit-X11-forwarding", "permit-pty"]);
        assert.deepEqual(parsed.caKey.blob, testSigner(caType).publicKey.blob);
        assert.equal(parsed.nonce.length, 32);
      });
    }
  }

  test("RSA CAs sign with rsa-sha2-512 by default and rsa-sha2-256 on request", () => {
    const key = testKeyPair("ssh-ed25519", "user").publicKey;
    const ca = testKeyPair("ssh-rsa", "ca").privateKey;
    assert.equal(
      parseCertificate(signCertificate(userCertFields(key), keyObjectSigner(ca)).blob).signatureAlgorithm,
      "rsa-sha2-512",
    );
    const sha256 = signCertificate(userCertFields(key), keyObjectSigner(ca, "rsa-sha2-256"));
    assert.equal(parseCertificate(sha256.blob).signatureAlgorithm, "rsa-sha2-256");
  });

  test("uint64 serial and times survive beyond Number.MAX_SAFE_INTEGER", () => {
    const cert = signCertificate(
      userCertFields(testKeyPair("ssh-ed25519", "user").publicKey, {
        serial: 0xffff_ffff_ffff_fff0n,
        validAfter: 0n,
        validBefore: 0xffff_ffff_ffff_fffen,
      }),
      testSigner("ssh-ed25519"),
    );
    const parsed = parseCertificate(cert.blob);
    assert.equal(parsed.serial, 0xffff_ffff_ffff_fff0n);
    assert.equal(parsed.validBefore, 0xffff_ffff_ffff_fffen);
  });

  test("validity follows sshd's half-open window", () => {
    const now = nowSeconds();
    const cert = signCertificate(
      userCertFields(testKeyPair("ssh-ed25519", "user").publicKey, {
        validAfter: now,
        validBefore: now + 10n,
      }),
      testSigner("ssh-ed25519"),
    );
    assert.equal(isValidAt(cert, now - 1n), false);
    assert.equal(isValidAt(cert, now), true);
    assert.equal(isValidAt(cert, now + 10n), false);
  });

  test("a tampered field breaks the signature", () => {
    const cert = signCertificate(
      userCertFields(testKeyPair("ssh-ed25519", "user").publicKey),
      testSigner("ssh-ed25519"),
    );
    const tampered = Uint8Array.from(cert.blob);
    const serialOffset = tampered.length - 200; // somewhere inside the signed body
    tampered[serialOffset] = (tampered[serialOffset] as number) ^ 1;
    assert.throws(
      () => parseCertificate(tampered),
      (e) => e instanceof SshSignatureInvalidError || e instanceof SshFormatError,
    );
    const sigFlip = Uint8Array.from(cert.blob);
    sigFlip[sigFlip.length - 1] = (sigFlip[sigFlip.length - 1] as number) ^ 0x80;
    assert.throws(() => parseCertificate(sigFlip), SshSignatureInvalidError);
  });

  test("trailing bytes are refused", () => {
    const cert = signCertificate(
      userCertFields(testKeyPair("ssh-ed25519", "user").publicKey),
      testSigner("ssh-ed25519"),
    );
    const extra = new Uint8Array(cert.blob.length + 1);
    extra.set(cert.blob);
    assert.throws(() => parseCertificate(extra), SshFormatError);
  });

  test("more than 256 principals are refused when signing and when parsing", () => {
    const key = testKeyPair("ssh-ed25519", "user").publicKey;
    const many = Array.from({ length: 257 }, (_, i) => `p${i}`);
    assert.throws(
      () => signCertificate(userCertFields(key, { principals: many }), testSigner("ssh-ed25519")),
      SshCertificateError,
    );
    const forged = reSign(signCertificate(userCertFields(key), testSigner("ssh-ed25519")).blob, (fields) => {
      const list = new SshWriter();
      for (const p of many) list.text(p);
      fields.principals = list.bytes();
    });
    assert.throws(() => parseCertificate(forged), SshCertificateError);
  });

  test("a principal with an embedded NUL is refused", () => {
    const key = testKeyPair("ssh-ed25519", "user").publicKey;
    assert.throws(
      () => signCertificate(userCertFields(key, { principals: ["root\0x"] }), testSigner("ssh-ed25519")),
      SshCertificateError,
    );
    const forged = reSign(signCertificate(userCertFields(key), testSigner("ssh-ed25519")).blob, (fields) => {
      fields.principals = new SshWriter().string(new TextEncoder().encode("alice\0root")).bytes();
    });
    assert.throws(() => parseCertificate(forged), SshFormatError);
  });

  test("a certificate as the CA key (a chained certificate) is refused", () => {
    const inner = signCertificate(
      userCertFields(testKeyPair("ssh-ed25519", "ca2").publicKey),
      testSigner("ssh-ed25519"),
    );
    const forged = reSign(
      signCertificate(userCertFields(testKeyPair("ssh-ed25519", "user").publicKey), testSigner("ssh-ed25519"))
        .blob,
      (fields) => {
        fields.caKey = inner.blob;
      },
    );
    assert.throws(() => parseCertificate(forged), SshCertificateError);
  });

  test("an unknown certificate kind, unknown type or plain key is refused", () => {
    const blob = signCertificate(
      userCertFields(testKeyPair("ssh-ed25519", "user").publicKey),
      testSigner("ssh-ed25519"),
    ).blob;
    assert.throws(
      () =>
        parseCertificate(
          reSign(blob, (f) => {
            f.kind = 3;
          }),
        ),
      SshCertificateError,
    );
    assert.throws(
      () => parseCertificate(testKeyPair("ssh-ed25519", "user").publicKey.blob),
      SshCertificateError,
    );
    const dsa = new SshWriter().text("ssh-dss-cert-v01@openssh.com").string(new Uint8Array(8)).bytes();
    assert.throws(() => parseCertificate(dsa), SshUnsupportedTypeError);
  });

  test("unsorted or duplicate extensions are refused", () => {
    const blob = signCertificate(
      userCertFields(testKeyPair("ssh-ed25519", "user").publicKey),
      testSigner("ssh-ed25519"),
    ).blob;
    const unsorted = new SshWriter()
      .text("permit-pty")
      .string(new Uint8Array(0))
      .text("permit-X11-forwarding")
      .string(new Uint8Array(0))
      .bytes();
    assert.throws(
      () =>
        parseCertificate(
          reSign(blob, (f) => {
            f.extensions = unsorted;
          }),
        ),
      SshCertificateError,
    );
    const dup = new SshWriter()
      .text("permit-pty")
      .string(new Uint8Array(0))
      .text("permit-pty")
      .string(new Uint8Array(0))
      .bytes();
    assert.throws(
      () =>
        parseCertificate(
          reSign(blob, (f) => {
            f.extensions = dup;
          }),
        ),
      SshCertificateError,
    );
  });

  test("an ssh-rsa (SHA-1) signature by an RSA CA is refused", () => {
    const blob = signCertificate(
      userCertFields(testKeyPair("ssh-ed25519", "user").publicKey),
      testSigner("ssh-rsa"),
    ).blob;
    const fields = readFields(blob);
    const sig = new SshReader(fields.signature);
    sig.text();
    const raw = sig.string();
    fields.signature = new SshWriter().text("ssh-rsa").string(raw).bytes();
    const forged = new SshWriter().raw(writeBody(fields)).string(fields.signature).bytes();
    assert.throws(() => parseCertificate(forged), SshSignatureAlgorithmError);
  });

  test("invalid validity and serial are refused when signing", () => {
    const key = testKeyPair("ssh-ed25519", "user").publicKey;
    const signer = testSigner("ssh-ed25519");
    assert.throws(
      () => signCertificate(userCertFields(key, { validAfter: 10n, validBefore: 10n }), signer),
      SshCertificateError,
    );
    assert.throws(() => signCertificate(userCertFields(key, { serial: -1n }), signer), SshCertificateError);
    assert.throws(
      () => signCertificate(userCertFields(key, { extensions: { "": "" } }), signer),
      SshCertificateError,
    );
  });
});

/** The raw fields of a certificate with an Ed25519 subject key, so tests can forge variants. */
interface RawFields {
  type: string;
  nonce: Uint8Array;
  subjectKey: Uint8Array;
  serial: bigint;
  kind: number;
  keyId: Uint8Array;
  principals: Uint8Array;
  validAfter: bigint;
  validBefore: bigint;
  criticalOptions: Uint8Array;
  extensions: Uint8Array;
  reserved: Uint8Array;
  caKey: Uint8Array;
  signature: Uint8Array;
}

function readFields(blob: Uint8Array): RawFields {
  const r = new SshReader(blob);
  return {
    type: r.text(),
    nonce: r.string(),
    subjectKey: r.string(),
    serial: r.uint64(),
    kind: r.uint32(),
    keyId: r.string(),
    principals: r.string(),
    validAfter: r.uint64(),
    validBefore: r.uint64(),
    criticalOptions: r.string(),
    extensions: r.string(),
    reserved: r.string(),
    caKey: r.string(),
    signature: r.string(),
  };
}

function writeBody(f: RawFields): Uint8Array {
  return new SshWriter()
    .text(f.type)
    .string(f.nonce)
    .string(f.subjectKey)
    .uint64(f.serial)
    .uint32(f.kind)
    .string(f.keyId)
    .string(f.principals)
    .uint64(f.validAfter)
    .uint64(f.validBefore)
    .string(f.criticalOptions)
    .string(f.extensions)
    .string(f.reserved)
    .string(f.caKey)
    .bytes();
}

/** Decodes a certificate, lets `edit` change raw fields, and signs the result with the Ed25519 test CA. */
function reSign(blob: Uint8Array, edit: (fields: RawFields) => void): Uint8Array {
  const fields = readFields(blob);
  edit(fields);
  const body = writeBody(fields);
  return new SshWriter().raw(body).string(testSigner("ssh-ed25519").sign(body)).bytes();
}
