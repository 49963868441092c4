/**
 * Interop with Debian's ssh-keygen: what we write, OpenSSH reads field by field (and verifies the
 * signature while parsing); what OpenSSH writes, we read to the same fields.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  type Certificate,
  encodeKrl,
  fingerprintSha256,
  formatCertificate,
  formatPrivateKey,
  formatPublicKey,
  isRevoked,
  type KeyType,
  parseCertificateText,
  parseKrl,
  parsePrivateKey,
  parsePublicKey,
  sha256,
  signCertificate,
} from "../../src/ssh/index.ts";
import { makeTempDir, removeDir, sshKeygen, writeSecret } from "../helpers/openssh.ts";
import { ALL_KEY_TYPES, testKeyPair, testSigner, userCertFields } from "../helpers/ssh-fixtures.ts";

process.env.TZ = "UTC";
let dir: string;
before(async () => {
  dir = await makeTempDir();
});
after(async () => {
  await removeDir(dir);
});

function utc(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
}

const KEYGEN_NAME: Record<KeyType, string> = {
  "ssh-ed25519": "ED25519",
  "ecdsa-sha2-nistp256": "ECDSA",
  "ecdsa-sha2-nistp384": "ECDSA",
  "ecdsa-sha2-nistp521": "ECDSA",
  "ssh-rsa": "RSA",
};

/** The exact `ssh-keygen -L` text for a certificate, built from our own fields. */
function expectedListing(path: string, cert: Certificate): string {
  const list = (items: string[]) => (items.length ? items.map((i) => `                ${i}\n`).join("") : "");
  const options = (o: Readonly<Record<string, string>>) =>
    Object.keys(o)
      .sort()
      .map((k) => (o[k] ? `${k} ${o[k]}` : k));
  const none = (items: string[]) => (items.length ? `\n${list(items)}` : "(none)\n");
  return [
    `${path}:\n`,
    `        Type: ${cert.type} ${cert.kind} certificate\n`,
    `        Public key: ${KEYGEN_NAME[cert.key.type]}-CERT ${fingerprintSha256(cert.key.blob)}\n`,
    `        Signing CA: ${KEYGEN_NAME[cert.caKey.type]} ${fingerprintSha256(cert.caKey.blob)} (using ${cert.signatureAlgorithm})\n`,
    `        Key ID: "${cert.keyId}"\n`,
    `        Serial: ${cert.serial}\n`,
    `        Valid: from ${utc(cert.validAfter)} to ${utc(cert.validBefore)}\n`,
    `        Principals: ${none([...cert.principals])}`,
    `        Critical Options: ${none(options(cert.criticalOptions))}`,
    `        Extensions: ${none(options(cert.extensions))}`,
  ].join("");
}

describe("ssh-keygen reads what we write", () => {
  for (const caType of ALL_KEY_TYPES) {
    for (const userType of ["ssh-ed25519", "ecdsa-sha2-nistp384", "ssh-rsa"] as const) {
      test(`-L shows every field of a ${userType} certificate signed by a ${caType} CA`, async () => {
        const cert = signCertificate(
          userCertFields(testKeyPair(userType, "user").publicKey, {
            serial: 18_446_744_073_709_551_000n,
            keyId: "tenant-a/0b1e3c5d-object",
            principals: ["alice", "alice.smith"],
            validAfter: 1_767_225_600n,
            validBefore: 1_767_229_200n,
            criticalOptions: { "source-address": "10.0.0.0/8,127.0.0.1/32" },
            extensions: { "permit-pty": "", "permit-port-forwarding": "" },
          }),
          testSigner(caType),
        );
        const path = join(dir, `${caType}-${userType}-cert.pub`);
        await writeFile(path, `${formatCertificate(cert)}\n`);
        const out = await sshKeygen(["-L", "-f", path]);
        assert.equal(out.code, 0, out.stderr);
        assert.equal(out.stdout, expectedListing(path, cert));
      });
    }
  }

  test("a host certificate is listed as one, and an empty option list as (none)", async () => {
    const cert = signCertificate(
      userCertFields(testKeyPair("ssh-ed25519", "host").publicKey, {
        kind: "host",
        principals: ["vm1.example"],
        validAfter: 1_767_225_600n,
        validBefore: 1_767_229_200n,
        extensions: {},
      }),
      testSigner("ssh-ed25519", "host-ca"),
    );
    const path = join(dir, "host-cert.pub");
    await writeFile(path, formatCertificate(cert));
    const out = await sshKeygen(["-L", "-f", path]);
    assert.equal(out.stdout, expectedListing(path, cert));
    assert.match(out.stdout, /host certificate/);
  });

  test("a tampered certificate is refused by ssh-keygen too", async () => {
    const cert = signCertificate(
      userCertFields(testKeyPair("ssh-ed25519", "user").publicKey),
      testSigner("ssh-ed25519"),
    );
    const blob = Uint8Array.from(cert.blob);
    blob[100] = (blob[100] as number) ^ 1;
    const path = join(dir, "tampered-cert.pub");
    await writeFile(path, `${cert.type} ${Buffer.from(blob).toString("base64")}\n`);
    const out = await sshKeygen(["-L", "-f", path]);
    assert.notEqual(out.code, 0);
  });

  for (const type of ALL_KEY_TYPES) {
    test(`${type}: our private key file is read by ssh-keygen -y, fingerprints agree`, async () => {
      const { privateKey, publicKey } = testKeyPair(type, "user");
      const path = await writeSecret(
        join(dir, `id_${type}`),
        formatPrivateKey(privateKey, "made by hostpass"),
      );
      const out = await sshKeygen(["-y", "-f", path]);
      assert.equal(out.code, 0, out.stderr);
      assert.deepEqual(parsePublicKey(out.stdout).blob, publicKey.blob);
      await writeFile(`${path}.pub`, formatPublicKey(publicKey, "c"));
      const fp = await sshKeygen(["-l", "-E", "sha256", "-f", `${path}.pub`]);
      assert.equal(fp.stdout.split(" ")[1], fingerprintSha256(publicKey.blob));
    });
  }
});

describe("we read what ssh-keygen writes", () => {
  for (const [flag, bits] of [
    ["ed25519", "256"],
    ["ecdsa", "521"],
    ["rsa", "3072"],
  ] as const) {
    test(`${flag} key and certificate made by ssh-keygen parse to the same fields`, async () => {
      const ca = join(dir, `kg-ca-${flag}`);
      const user = join(dir, `kg-user-${flag}`);
      await sshKeygen(["-q", "-t", flag, "-b", bits, "-N", "", "-f", ca]);
      await sshKeygen(["-q", "-t", flag, "-b", bits, "-N", "", "-f", user]);
      const signed = await sshKeygen([
        "-q",
        "-s",
        ca,
        "-I",
        "ops key 7",
        "-n",
        "deploy,alice",
        "-z",
        "9007199254740993",
        "-V",
        "20300101000000:20300101010000",
        "-O",
        "clear",
        "-O",
        "permit-pty",
        "-O",
        "force-command=/usr/bin/true",
        `${user}.pub`,
      ]);
      assert.equal(signed.code, 0, signed.stderr);
      const cert = parseCertificateText(await readFile(`${user}-cert.pub`, "utf8"));
      assert.equal(cert.kind, "user");
      assert.equal(cert.keyId, "ops key 7");
      assert.equal(cert.serial, 9_007_199_254_740_993n);
      assert.deepEqual(cert.principals, ["deploy", "alice"]);
      assert.equal(cert.validAfter, BigInt(Date.UTC(2030, 0, 1) / 1000));
      assert.equal(cert.validBefore, BigInt(Date.UTC(2030, 0, 1, 1) / 1000));
      assert.deepEqual({ ...cert.criticalOptions }, { "force-command": "/usr/bin/true" });
      assert.deepEqual({ ...cert.extensions }, { "permit-pty": "" });
      const userPub = parsePublicKey(await readFile(`${user}.pub`, "utf8"));
      assert.deepEqual(cert.key.blob, userPub.blob);
      assert.deepEqual(cert.caKey.blob, parsePublicKey(await readFile(`${ca}.pub`, "utf8")).blob);
      const privateKey = parsePrivateKey(await readFile(user, "utf8"));
      assert.deepEqual(privateKey.publicKey.blob, userPub.blob);
    });
  }
});

describe("KRLs", () => {
  test("ssh-keygen -Q agrees with our KRL on every kind of revocation", async () => {
    const signer = testSigner("ssh-ed25519");
    const other = testSigner("ecdsa-sha2-nistp256", "ca");
    const mk = (label: string, serial: bigint, keyId: string, s = signer) =>
      signCertificate(userCertFields(testKeyPair("ssh-ed25519", label).publicKey, { serial, keyId }), s);
    const bySerial = mk("k1", 10n, "id-10");
    const byRange = mk("k2", 1000n, "id-1000");
    const byKeyId = mk("k3", 20n, "bob@tenant");
    const byKey = mk("k4", 30n, "id-30");
    const byHash = mk("k5", 40n, "id-40");
    const untouched = mk("k6", 50n, "id-50");
    const otherCa = mk("k7", 10n, "id-10", other);
    const krlBytes = encodeKrl({
      version: 7n,
      comment: "hostpass test",
      certificates: [
        {
          caKey: signer.publicKey,
          serials: [10n, 11n],
          serialRanges: [{ from: 900n, to: 1100n }],
          keyIds: ["bob@tenant"],
        },
      ],
      keys: [byKey.key],
      sha256: [sha256(byHash.key.blob)],
    });
    const krlPath = join(dir, "ours.krl");
    await writeFile(krlPath, krlBytes);
    const krl = parseKrl(krlBytes);
    assert.equal(krl.version, 7n);
    const cases: [string, Certificate, boolean][] = [
      ["serial", bySerial, true],
      ["range", byRange, true],
      ["key id", byKeyId, true],
      ["explicit key", byKey, true],
      ["sha256", byHash, true],
      ["untouched", untouched, false],
      ["same serial, other CA", otherCa, false],
    ];
    for (const [label, cert, revoked] of cases) {
      const path = join(dir, `krl-${label.replace(/\W/g, "_")}-cert.pub`);
      await writeFile(path, formatCertificate(cert));
      const out = await sshKeygen(["-Q", "-f", krlPath, path]);
      assert.equal(out.code, revoked ? 1 : 0, `${label}: ${out.stdout}${out.stderr}`);
      assert.equal(out.stdout.includes("REVOKED"), revoked, label);
      assert.equal(isRevoked(krl, cert), revoked, `isRevoked ${label}`);
    }
    const listing = await sshKeygen(["-Q", "-l", "-f", krlPath]);
    assert.match(listing.stdout, /# KRL version 7/);
    assert.match(listing.stdout, /serial: 10-11\n/);
    assert.match(listing.stdout, /serial: 900-1100/);
    assert.match(listing.stdout, /id: bob@tenant/);
  });

  test("a KRL written by ssh-keygen -k parses and revokes the same certificates", async () => {
    const signer = testSigner("ssh-ed25519");
    const caPath = join(dir, "krl-ca.pub");
    await writeFile(caPath, formatPublicKey(signer.publicKey));
    const spec = join(dir, "krl.spec");
    await writeFile(spec, "serial: 5\nserial: 100-200\nserial: 300\nserial: 302\nid: carol\n");
    const krlPath = join(dir, "theirs.krl");
    const made = await sshKeygen(["-k", "-f", krlPath, "-s", caPath, "-z", "3", spec]);
    assert.equal(made.code, 0, made.stderr);
    const krl = parseKrl(new Uint8Array(await readFile(krlPath)));
    assert.equal(krl.version, 3n);
    const mk = (serial: bigint, keyId = "x") =>
      signCertificate(
        userCertFields(testKeyPair("ssh-ed25519", "user").publicKey, { serial, keyId }),
        signer,
      );
    for (const s of [5n, 100n, 150n, 200n, 300n, 302n])
      assert.equal(isRevoked(krl, mk(s)), true, `serial ${s}`);
    for (const s of [4n, 99n, 201n, 301n]) assert.equal(isRevoked(krl, mk(s)), false, `serial ${s}`);
    assert.equal(isRevoked(krl, mk(7n, "carol")), true);
  });
});
