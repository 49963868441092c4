/**
 * Certificates encoded and signed per second by src/ssh ÷ raw `crypto.sign` of equal-sized data
 * with the same CA key, in one process. Target: ratio >= 0.7 for the Ed25519 default CA.
 */
import { sign } from "node:crypto";
import { generateKeyPair, type KeyType, keyObjectSigner, signCertificate } from "../src/ssh/index.ts";
import { interleaved } from "./lib-measure.ts";

const TARGET = 0.7;

function measure(caType: KeyType, rounds: number, msPerRound: number) {
  const ca = generateKeyPair(caType, { rsaBits: 3072 });
  const signer = keyObjectSigner(ca.privateKey);
  const user = generateKeyPair("ssh-ed25519").publicKey;
  const now = BigInt(Math.floor(Date.now() / 1000));
  const fields = (serial: number) => ({
    kind: "user" as const,
    key: user,
    serial: BigInt(serial + 1),
    keyId: "tenant=7f1c2d3e-0000-4000-8000-000000000001 oid=0b1e3c5d-0000-4000-8000-000000000002",
    principals: ["alice.smith"],
    validAfter: now - 60n,
    validBefore: now + 3600n,
    criticalOptions: {},
    extensions: { "permit-pty": "" },
  });
  const sample = signCertificate(fields(0), signer);
  const body = sample.blob.subarray(0, sample.blob.length - 4 - signer.sign(new Uint8Array(1)).length);
  const hash = caType === "ssh-ed25519" ? null : caType === "ssh-rsa" ? "sha512" : "sha256";
  const result = interleaved(
    () => sign(hash, body, ca.privateKey),
    (i) => signCertificate(fields(i), signer),
    rounds,
    msPerRound,
  );
  return {
    caKeyType: caType,
    signedBytes: body.length,
    rawSignPerSec: result.baseline,
    certificatesPerSec: result.subject,
    ratio: result.ratio,
  };
}

export async function run(args: string[]): Promise<object> {
  const quick = args.includes("--quick");
  const rounds = quick ? 3 : 7;
  const ms = quick ? 150 : 400;
  const main = measure("ssh-ed25519", rounds, ms);
  const others = (["ecdsa-sha2-nistp256", "ssh-rsa"] as const).map((t) => measure(t, 3, quick ? 100 : 250));
  return {
    what: "certificates encoded+signed per second / raw crypto.sign of equal-sized data, same CA key, same process",
    ...main,
    target: TARGET,
    pass: main.ratio >= TARGET,
    otherCaTypes: others,
  };
}
