import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { formatPublicKey } from "../ssh/index.ts";
import {
  CaInvalidSerialError,
  type CaKeyRecord,
  CaRetireTooEarlyError,
  CaRotationStepError,
  CertificateNotFoundError,
  createCaKey,
  describeCaKey,
  MAX_CERTIFICATE_SERIAL,
  nextRotationStep,
  parseCertificateSerial,
  planRotation,
  revokeCertificate,
  trustedCaKeys,
} from "./index.ts";

const KEK = randomBytes(32);
const T0 = new Date("2026-11-24T10:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** Applies a plan as the store would: the inserted key, then the changed states. */
function apply(records: readonly CaKeyRecord[], plan: ReturnType<typeof planRotation>): CaKeyRecord[] {
  const changed = new Map(plan.states.map((r) => [r.id, r]));
  return [...records.map((r) => changed.get(r.id) ?? r), ...(plan.insert ? [plan.insert] : [])];
}

describe("CA rotation steps", () => {
  const first = { ...createCaKey("user", "ssh-ed25519", KEK, T0), state: "active" as const };
  const host = { ...createCaKey("host", "ssh-ed25519", KEK, T0), state: "active" as const };
  const options = (seconds: number, extra: { force?: boolean } = {}) => ({
    now: at(seconds),
    newKey: () => createCaKey("user", "ssh-ed25519", KEK, at(seconds)),
    signedLifetimeSeconds: 3600,
    ...extra,
  });

  test("announce → activate → retire, each step changing only its purpose's keys", () => {
    let records: CaKeyRecord[] = [first, host];
    assert.equal(nextRotationStep(records, "user"), "announce");
    const announced = planRotation(records, "user", "announce", options(10));
    assert.equal(announced.insert?.state, "next");
    records = apply(records, announced);
    assert.equal(trustedCaKeys(records, "user").length, 2, "hosts trust the announced key at once");
    assert.equal(nextRotationStep(records, "user"), "activate");

    records = apply(records, planRotation(records, "user", "activate", options(20)));
    const byId = new Map(records.map((r) => [r.id, r.state]));
    assert.equal(byId.get(first.id), "previous");
    assert.equal(byId.get(announced.insert?.id ?? ""), "active");
    assert.equal(byId.get(host.id), "active", "the host CA is not touched");
    assert.equal(trustedCaKeys(records, "user").length, 2, "the old key stays trusted in the overlap");
    assert.equal(nextRotationStep(records, "user"), "retire");

    records = apply(records, planRotation(records, "user", "retire", options(20 + 3600 + 121)));
    assert.equal(records.find((r) => r.id === first.id)?.state, "retired");
    assert.deepEqual(
      trustedCaKeys(records, "user").map((k) => formatPublicKey(k)),
      [announced.insert?.publicKey],
    );
    assert.equal(nextRotationStep(records, "user"), "announce");
  });

  test("steps out of order are refused with the step that fits", () => {
    const records: CaKeyRecord[] = [first];
    assert.throws(() => planRotation(records, "user", "activate", options(0)), CaRotationStepError);
    assert.throws(() => planRotation(records, "user", "retire", options(0)), CaRotationStepError);
    const twice = apply(records, planRotation(records, "user", "announce", options(0)));
    assert.throws(() => planRotation(twice, "user", "announce", options(1)), /already announced/);
    const activated = apply(twice, planRotation(twice, "user", "activate", options(2)));
    assert.throws(() => planRotation(activated, "user", "announce", options(3)), /retire it first/);
  });

  test("retire waits for the certificates the previous key signed, unless forced", () => {
    let records: CaKeyRecord[] = [first];
    records = apply(records, planRotation(records, "user", "announce", options(0)));
    records = apply(records, planRotation(records, "user", "activate", options(100)));
    assert.throws(() => planRotation(records, "user", "retire", options(100 + 3600)), CaRetireTooEarlyError);
    const forced = planRotation(records, "user", "retire", options(101, { force: true }));
    assert.deepEqual(
      forced.states.map((r) => [r.id, r.state]),
      [[first.id, "retired"]],
    );
  });

  test("a key described shows its fingerprint and never its private part", () => {
    const d = describeCaKey(first);
    assert.match(d.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.equal(d.keyType, "ssh-ed25519");
    assert.ok(!JSON.stringify(d).includes(first.sealedPrivateKey));
  });
});

describe("certificate serials", () => {
  test("1..2^63-1 in decimal only", () => {
    assert.equal(parseCertificateSerial("1"), 1n);
    assert.equal(parseCertificateSerial(MAX_CERTIFICATE_SERIAL.toString()), MAX_CERTIFICATE_SERIAL);
    for (const bad of [
      "0",
      "-1",
      "+1",
      "01",
      " 5",
      "5 ",
      "0x10",
      "1e3",
      "abc",
      "",
      (MAX_CERTIFICATE_SERIAL + 1n).toString(),
      "18446744073709551616",
      "9".repeat(400),
    ]) {
      assert.throws(() => parseCertificateSerial(bad), CaInvalidSerialError, JSON.stringify(bad));
    }
  });

  test("revoking one certificate: only the tenant's, once", async () => {
    const revoked = new Set<bigint>();
    const ledger = new Map([[5n, { tenantId: "t1" }]]);
    const store = {
      get: async (serial: bigint) => ledger.get(serial),
      revokeSerial: async (serial: bigint) => {
        if (revoked.has(serial)) return false;
        revoked.add(serial);
        return true;
      },
    };
    const input = { tenantId: "t1", serial: 5n, at: T0, reason: "lost laptop" };
    assert.equal(await revokeCertificate(store, input), true);
    assert.equal(await revokeCertificate(store, input), false);
    await assert.rejects(revokeCertificate(store, { ...input, tenantId: "t2" }), CertificateNotFoundError);
    await assert.rejects(revokeCertificate(store, { ...input, serial: 6n }), CertificateNotFoundError);
  });
});
