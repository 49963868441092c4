/**
 * Robustness: thousands of truncated and mutated keys, certificates, KRLs and key files. Parsers
 * must fail only with the module's typed errors (never a RangeError, TypeError or hang).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { testKeyPair, testSigner, userCertFields } from "../../test/helpers/ssh-fixtures.ts";
import {
  encodeKrl,
  formatCertificate,
  formatPrivateKey,
  type KeyType,
  parseCertificate,
  parseKeyOrCertificate,
  parseKrl,
  parsePrivateKey,
  parsePublicKeyBlob,
  SshError,
  signCertificate,
} from "./index.ts";

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(input: Uint8Array, rand: () => number): Uint8Array {
  const int = (n: number) => Math.floor(rand() * n);
  const out = Array.from(input);
  const rounds = 1 + int(3);
  for (let i = 0; i < rounds; i++) {
    const at = int(out.length + 1);
    switch (int(6)) {
      case 0:
        if (out.length) out[at % out.length] = (out[at % out.length] as number) ^ (1 << int(8));
        break;
      case 1:
        if (out.length) out[at % out.length] = int(256);
        break;
      case 2:
        out.splice(at, 0, ...Array.from({ length: 1 + int(8) }, () => int(256)));
        break;
      case 3:
        out.splice(at, 1 + int(16));
        break;
      case 4: {
        // Overwrite what may be a length field with a hostile value.
        const v = [0xffffffff, 0x7fffffff, 0x01000000, 0, 1, 257][int(6)] as number;
        out.splice(at, 4, (v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
        break;
      }
      default:
        out.length = int(out.length + 1);
    }
  }
  return Uint8Array.from(out);
}

function expectTypedFailureOrSuccess(label: string, fn: () => unknown): "ok" | "rejected" {
  try {
    fn();
    return "ok";
  } catch (error) {
    if (!(error instanceof SshError)) {
      assert.fail(`${label}: threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
    }
    return "rejected";
  }
}

const CASES: readonly [KeyType, KeyType][] = [
  ["ssh-ed25519", "ssh-ed25519"],
  ["ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384"],
  ["ssh-rsa", "ssh-rsa"],
  ["ecdsa-sha2-nistp521", "ssh-ed25519"],
];

describe("hostile bytes", { timeout: 120_000 }, () => {
  for (const [userType, caType] of CASES) {
    test(`every truncation and 1500 mutations of a ${userType} certificate from a ${caType} CA`, () => {
      const cert = signCertificate(
        userCertFields(testKeyPair(userType, "user").publicKey, {
          principals: ["alice", "bob"],
          criticalOptions: { "source-address": "10.0.0.0/8" },
        }),
        testSigner(caType),
      );
      for (let len = 0; len < cert.blob.length; len++) {
        assert.equal(
          expectTypedFailureOrSuccess(`truncated to ${len}`, () =>
            parseCertificate(cert.blob.subarray(0, len)),
          ),
          "rejected",
        );
      }
      const rand = prng(0x5eed ^ cert.blob.length);
      let accepted = 0;
      for (let i = 0; i < 1500; i++) {
        const blob = mutate(cert.blob, rand);
        if (expectTypedFailureOrSuccess(`mutation ${i}`, () => parseCertificate(blob)) === "ok") {
          accepted++;
          // Anything accepted must still carry a valid signature over exactly these bytes.
          assert.deepEqual(parseCertificate(blob).blob, blob);
        }
        expectTypedFailureOrSuccess(`text mutation ${i}`, () =>
          parseKeyOrCertificate(formatCertificate({ ...cert, blob })),
        );
      }
      assert.ok(accepted < 15, `${accepted} mutated certificates still parsed`);
    });
  }

  test("mutated public key blobs", () => {
    const rand = prng(42);
    for (const type of ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp521", "ssh-rsa"] as const) {
      const blob = testKeyPair(type).publicKey.blob;
      for (let len = 0; len < blob.length; len++) {
        assert.equal(
          expectTypedFailureOrSuccess(`${type} truncated`, () => parsePublicKeyBlob(blob.subarray(0, len))),
          "rejected",
        );
      }
      for (let i = 0; i < 1000; i++) {
        const m = mutate(blob, rand);
        expectTypedFailureOrSuccess(`${type} mutation ${i}`, () => parsePublicKeyBlob(m));
      }
    }
  });

  test("mutated KRLs", () => {
    const rand = prng(7);
    const krl = encodeKrl({
      version: 9n,
      comment: "fuzz",
      certificates: [
        {
          caKey: testSigner("ssh-ed25519").publicKey,
          serials: [1n, 5n],
          serialRanges: [{ from: 10n, to: 20n }],
          keyIds: ["a", "b"],
        },
      ],
      keys: [testKeyPair("ecdsa-sha2-nistp256").publicKey],
      sha256: [new Uint8Array(32).fill(3)],
    });
    for (let len = 0; len < krl.length; len++) {
      expectTypedFailureOrSuccess(`krl truncated to ${len}`, () => parseKrl(krl.subarray(0, len)));
    }
    for (let i = 0; i < 3000; i++) {
      const m = mutate(krl, rand);
      expectTypedFailureOrSuccess(`krl mutation ${i}`, () => parseKrl(m));
    }
  });

  test("mutated private key files", () => {
    const rand = prng(99);
    for (const type of ["ssh-ed25519", "ecdsa-sha2-nistp384", "ssh-rsa"] as const) {
      const text = formatPrivateKey(testKeyPair(type).privateKey, "fuzz");
      const body = Buffer.from(text.split("\n").slice(1, -2).join(""), "base64");
      for (let i = 0; i < 700; i++) {
        const m = mutate(body, rand);
        const armored = `-----BEGIN OPENSSH PRIVATE KEY-----\n${Buffer.from(m).toString("base64")}\n-----END OPENSSH PRIVATE KEY-----\n`;
        expectTypedFailureOrSuccess(`${type} private mutation ${i}`, () => parsePrivateKey(armored));
      }
    }
  });
});
