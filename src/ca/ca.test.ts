import assert from "node:assert/strict";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import { SignJWT } from "jose";
import { signRawJws } from "../../test/helpers/raw-jws.ts";
import { testKeyPair, testSigner } from "../../test/helpers/ssh-fixtures.ts";
import { fingerprintSha256, type KeyType, publicKeyToJwk } from "../ssh/index.ts";
import {
  activeCaKey,
  CaKeyRejectedError,
  CaKeyUnavailableError,
  CaProofInvalidError,
  CaSubjectRejectedError,
  createCaKey,
  type IssuedCertificate,
  issueUserCertificate,
  MemoryReplayCache,
  openCaSigner,
  rotate,
  trustedCaKeys,
  verifyKeyProof,
} from "./index.ts";

const NOW = new Date("2026-11-24T10:00:00Z");
const subject = {
  kind: "user" as const,
  tenantId: "7f1c2d3e-0000-4000-8000-000000000001",
  objectId: "0b1e3c5d-0000-4000-8000-000000000002",
  linuxName: "alice@contoso.com",
  enabled: true,
};

function issuer(records: IssuedCertificate[] = [], reserved: string[] = []) {
  return {
    signer: testSigner("ssh-ed25519"),
    caKeyId: "ca-1",
    ledger: {
      async record(i: IssuedCertificate) {
        if (records.some((r) => r.serial === i.serial)) throw new Error("duplicate serial");
        records.push(i);
      },
    },
    reservedKeys: { isReserved: (fp: string) => reserved.includes(fp) },
    now: () => NOW,
  };
}

describe("certificate issuance", () => {
  test("the server decides every field", async () => {
    const records: IssuedCertificate[] = [];
    const key = testKeyPair("ssh-ed25519", "user").publicKey;
    const { certificate, issued } = await issueUserCertificate(issuer(records), {
      subject,
      publicKey: key,
      tokenId: "tok-1",
    });
    const now = BigInt(NOW.getTime() / 1000);
    assert.deepEqual(certificate.principals, ["alice@contoso.com"]);
    assert.equal(certificate.keyId, `${subject.objectId}@${subject.tenantId}`);
    assert.equal(certificate.kind, "user");
    assert.ok(certificate.serial > 0n);
    assert.equal(certificate.validAfter, now - 120n);
    assert.equal(certificate.validBefore, now + 3600n);
    assert.deepEqual(Object.keys(certificate.extensions), ["permit-pty"]);
    assert.deepEqual(Object.keys(certificate.criticalOptions), []);
    assert.equal(records.length, 1);
    assert.equal(issued.keyFingerprint, fingerprintSha256(key.blob));
    assert.equal(issued.tokenId, "tok-1");
  });

  test("sign-in frequency caps the lifetime: 10 minutes gives a 10-minute certificate", async () => {
    const key = testKeyPair("ecdsa-sha2-nistp256", "user").publicKey;
    const { certificate } = await issueUserCertificate(issuer(), {
      subject,
      publicKey: key,
      tokenId: "t",
      lifetimeCapSeconds: 600,
    });
    assert.equal(certificate.validBefore - BigInt(NOW.getTime() / 1000), 600n);
  });

  test("serials are unique and non-zero", async () => {
    const records: IssuedCertificate[] = [];
    const key = testKeyPair("ssh-ed25519", "user").publicKey;
    for (let i = 0; i < 50; i++)
      await issueUserCertificate(issuer(records), { subject, publicKey: key, tokenId: "t" });
    assert.equal(new Set(records.map((r) => r.serial)).size, 50);
  });

  test("policy-granted extensions are added; unknown ones are a bug", async () => {
    const key = testKeyPair("ssh-ed25519", "user").publicKey;
    const { certificate } = await issueUserCertificate(issuer(), {
      subject,
      publicKey: key,
      tokenId: "t",
      extensions: ["permit-port-forwarding"],
    });
    assert.deepEqual(Object.keys(certificate.extensions), ["permit-port-forwarding", "permit-pty"]);
    await assert.rejects(
      issueUserCertificate(issuer(), {
        subject,
        publicKey: key,
        tokenId: "t",
        extensions: ["force-command" as never],
      }),
      TypeError,
    );
  });

  test("refuses disabled principals, unsafe names, small RSA keys and CA keys", async () => {
    const key = testKeyPair("ssh-ed25519", "user").publicKey;
    await assert.rejects(
      issueUserCertificate(issuer(), {
        subject: { ...subject, enabled: false },
        publicKey: key,
        tokenId: "t",
      }),
      CaSubjectRejectedError,
    );
    for (const linuxName of ["root", "alice,root", "bob smith", "-x", "a#b", "ALICE", "1000", ""]) {
      await assert.rejects(
        issueUserCertificate(issuer(), { subject: { ...subject, linuxName }, publicKey: key, tokenId: "t" }),
        linuxName,
      );
    }
    const rsa2048 = (await import("../ssh/index.ts")).generateKeyPair("ssh-rsa", { rsaBits: 2048 }).publicKey;
    await assert.rejects(
      issueUserCertificate(issuer(), { subject, publicKey: rsa2048, tokenId: "t" }),
      CaKeyRejectedError,
    );
    const ca = testSigner("ssh-ed25519").publicKey;
    await assert.rejects(
      issueUserCertificate(issuer([], [fingerprintSha256(ca.blob)]), {
        subject,
        publicKey: ca,
        tokenId: "t",
      }),
      CaKeyRejectedError,
    );
  });
});

const URL_ = "https://hostpass.example/ssh/certificates";
const TOKEN = "eyJ.access.token";

async function proof(
  type: KeyType,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  signWith?: KeyType,
) {
  const { privateKey, publicKey } = testKeyPair(type, "user");
  const alg = {
    "ssh-ed25519": "EdDSA",
    "ecdsa-sha2-nistp256": "ES256",
    "ecdsa-sha2-nistp384": "ES384",
    "ecdsa-sha2-nistp521": "ES512",
    "ssh-rsa": "PS256",
  }[type];
  const ath = (await import("node:crypto")).createHash("sha256").update(TOKEN).digest("base64url");
  const signer = signWith ? testKeyPair(signWith, "other").privateKey : privateKey;
  return new SignJWT({
    jti: randomUUID(),
    htm: "POST",
    htu: URL_,
    iat: Math.floor(NOW.getTime() / 1000),
    ath,
    ...claims,
  })
    .setProtectedHeader({ alg, typ: "dpop+jwt", jwk: publicKeyToJwk(publicKey), ...header })
    .sign(signer);
}

const atNow = () => NOW.getTime();
const requirements = (replay = new MemoryReplayCache(atNow)) => ({
  method: "POST",
  url: URL_,
  accessToken: TOKEN,
  nowMs: NOW.getTime(),
  replay,
});

describe("proof of possession", () => {
  for (const type of ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp521", "ssh-rsa"] as const) {
    test(`a fresh ${type} proof yields the proven key`, async () => {
      const key = await verifyKeyProof(await proof(type), requirements());
      assert.deepEqual(key.blob, testKeyPair(type, "user").publicKey.blob);
    });
  }

  test("a replayed proof is refused", async () => {
    const replay = new MemoryReplayCache(atNow);
    const p = await proof("ssh-ed25519");
    await verifyKeyProof(p, requirements(replay));
    await assert.rejects(verifyKeyProof(p, requirements(replay)), CaProofInvalidError);
  });

  test("the in-memory replay cache keeps an id until its expiry by the injected clock, not the wall clock", () => {
    let now = NOW.getTime();
    const replay = new MemoryReplayCache(() => now);
    assert.equal(replay.use("jti-1", now + 120_000), true);
    assert.equal(replay.use("jti-1", now + 120_000), false);
    now += 120_001;
    assert.equal(replay.use("jti-1", now + 120_000), true);
  });

  const bad: [string, () => Promise<string>][] = [
    ["wrong method", () => proof("ssh-ed25519", { htm: "GET" })],
    ["wrong URL", () => proof("ssh-ed25519", { htu: "https://evil.example/ssh/certificates" })],
    ["another access token", () => proof("ssh-ed25519", { ath: "x".repeat(43) })],
    ["stale iat", () => proof("ssh-ed25519", { iat: Math.floor(NOW.getTime() / 1000) - 600 })],
    ["future iat", () => proof("ssh-ed25519", { iat: Math.floor(NOW.getTime() / 1000) + 600 })],
    ["short jti", () => proof("ssh-ed25519", { jti: "abc" })],
    ["wrong typ", () => proof("ssh-ed25519", {}, { typ: "JWT" })],
    ["signed by a key other than the header jwk", () => proof("ssh-ed25519", {}, {}, "ssh-ed25519")],
    [
      "private key material in the header jwk",
      async () => {
        const jwk = testKeyPair("ssh-ed25519", "user").privateKey.export({ format: "jwk" });
        return proof("ssh-ed25519", {}, { jwk });
      },
    ],
    ["garbage", async () => "not.a.jwt"],
    ["no ath", () => proof("ssh-ed25519", { ath: undefined })],
    [
      "a member named twice (a wrong htu first, the right one last, as JSON.parse would keep)",
      async () => {
        const { privateKey, publicKey } = testKeyPair("ssh-ed25519", "user");
        const header = JSON.stringify({ alg: "EdDSA", typ: "dpop+jwt", jwk: publicKeyToJwk(publicKey) });
        const ath = createHash("sha256").update(TOKEN).digest("base64url");
        const iat = Math.floor(NOW.getTime() / 1000);
        const claims = `{"jti":"${randomUUID()}","htm":"POST","htu":"https://evil.example/x","htu":"${URL_}","iat":${iat},"ath":"${ath}"}`;
        return signRawJws(header, claims, privateKey);
      },
    ],
  ];
  for (const [label, make] of bad) {
    test(`refuses a proof with ${label}`, async () => {
      await assert.rejects(verifyKeyProof(await make(), requirements()), CaProofInvalidError);
    });
  }
});

describe("CA keys", () => {
  const kek = randomBytes(32);

  test("private keys are sealed at rest and open only with the right key-encryption key", () => {
    const record = createCaKey("user", "ssh-ed25519", kek, NOW);
    assert.ok(!record.sealedPrivateKey.includes("PRIVATE"));
    const signer = openCaSigner({ ...record, state: "active" }, kek);
    assert.equal(signer.algorithm, "ssh-ed25519");
    assert.throws(() => openCaSigner(record, randomBytes(32)), CaKeyUnavailableError);
    const parts = record.sealedPrivateKey.split(".");
    parts[3] = `${parts[3]?.slice(0, -2)}AA`;
    assert.throws(
      () => openCaSigner({ ...record, sealedPrivateKey: parts.join(".") }, kek),
      CaKeyUnavailableError,
    );
    assert.throws(
      () => openCaSigner({ ...record, purpose: "host" }, kek),
      CaKeyUnavailableError,
      "sealed to its purpose and id",
    );
  });

  test("rotation: announce, activate with overlap, retire", () => {
    const first = { ...createCaKey("user", "ssh-ed25519", kek, NOW), state: "active" as const };
    const announced = createCaKey("user", "ecdsa-sha2-nistp256", kek, NOW);
    let records = [first, announced];
    assert.equal(trustedCaKeys(records, "user").length, 2, "an announced key is trusted before it signs");
    assert.equal(activeCaKey(records, "user").id, first.id);
    const changed = rotate(records, "user", "activate", NOW);
    records = records.map((r) => changed.find((c) => c.id === r.id) ?? r);
    assert.equal(activeCaKey(records, "user").id, announced.id);
    assert.equal(trustedCaKeys(records, "user").length, 2, "the old key stays trusted during the overlap");
    const retired = rotate(records, "user", "retire", NOW);
    records = records.map((r) => retired.find((c) => c.id === r.id) ?? r);
    assert.equal(trustedCaKeys(records, "user").length, 1);
    assert.throws(() => rotate(records, "user", "activate", NOW), CaKeyUnavailableError);
    assert.deepEqual(trustedCaKeys(records, "host"), []);
  });
});
