/** Token-signing keys, CA keys and the certificate ledger on both dialects. */
import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  activeCaKey,
  createCaKey,
  type IssuedCertificate,
  openCaSigner,
  rotate,
} from "../../src/ca/index.ts";
import {
  CertificateSerialInUseError,
  KeyStateConflictError,
  openStore,
  type Store,
} from "../../src/store/index.ts";
import { createTestDatabase, selectedDialects, type TestDatabase } from "./dialects.ts";

const KEK = randomBytes(32);
const MAX_SERIAL = (1n << 63n) - 1n;
/** Keys written in one millisecond list in kid order (random): compare them sorted by status. */
const byFirst = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));

function signingJwk(): Record<string, string> {
  const { privateKey } = generateKeyPairSync("ed25519");
  return { ...(privateKey.export({ format: "jwk" }) as Record<string, string>), kid: randomUUID() };
}

function issued(serial: bigint, i: number, extra: Partial<IssuedCertificate> = {}): IssuedCertificate {
  const t = Date.parse("2026-06-01T00:00:00Z") + i * 60_000;
  return {
    serial,
    tenantId: "t1",
    objectId: i % 2 === 0 ? "alice-oid" : "bob-oid",
    principal: i % 2 === 0 ? "alice" : "bob",
    keyId: i % 2 === 0 ? "alice-oid@t1" : "bob-oid@t1",
    keyFingerprint: `SHA256:${randomBytes(32).toString("base64").replace(/=+$/, "")}`,
    caKeyId: "ca-1",
    validAfter: new Date(t - 120_000),
    validBefore: new Date(t + 3_600_000),
    tokenId: `tok-${i}`,
    policies: ["p1", "'; DROP TABLE ssh_certificates;--"],
    issuedAt: new Date(t),
    ...extra,
  };
}

for (const dialect of selectedDialects()) {
  describe(`keys and certificates on ${dialect}`, () => {
    let database: TestDatabase;
    let store: Store;
    before(async () => {
      database = createTestDatabase(dialect);
      store = await openStore({ url: database.url, keyEncryptionKey: KEK });
    });
    after(async () => {
      await store?.close();
      await database?.drop();
    });

    it("seals signing keys, rotates them, and keeps one active", async () => {
      const first = signingJwk();
      const second = signingJwk();
      await store.signingKeys.addSigningKey(first, "active");
      await store.signingKeys.addSigningKey(second, "next");
      await assert.rejects(store.signingKeys.addSigningKey(signingJwk(), "active"), KeyStateConflictError);
      await assert.rejects(
        store.signingKeys.setSigningKeyStatus(second.kid as string, "active"),
        KeyStateConflictError,
      );
      assert.deepEqual(
        (await store.signingKeys.listSigningKeys()).map((k) => [k.status, k.privateJwk]).sort(byFirst),
        [
          ["active", first],
          ["next", second],
        ],
      );
      const sealed = await database.raw("select sealed_jwk from signing_keys");
      for (const row of sealed) assert.ok(!String(row.sealed_jwk).includes(first.d as string));
      assert.equal(await store.signingKeys.activateSigningKey(second.kid as string), true);
      assert.deepEqual(
        (await store.signingKeys.listSigningKeys()).map((k) => [k.status, k.privateJwk.kid]).sort(byFirst),
        [
          ["active", second.kid],
          ["retiring", first.kid],
        ],
      );
      assert.equal(await store.signingKeys.activateSigningKey("unknown"), false);
      assert.equal(await store.signingKeys.removeSigningKey(first.kid as string), true);
      assert.equal((await store.signingKeys.listSigningKeys()).length, 1);
    });

    it("refuses to open signing keys with another key-encryption key, or without one", async () => {
      await store.close();
      const wrong = await openStore({ url: database.url, keyEncryptionKey: randomBytes(32) });
      await assert.rejects(wrong.signingKeys.listSigningKeys(), { code: "ERR_SEALED_SECRET_UNREADABLE" });
      await wrong.close();
      const none = await openStore({ url: database.url });
      await assert.rejects(none.signingKeys.listSigningKeys(), TypeError);
      await none.close();
      await assert.rejects(openStore({ url: database.url, keyEncryptionKey: randomBytes(16) }), TypeError);
      store = await openStore({ url: database.url, keyEncryptionKey: KEK });
      assert.equal((await store.signingKeys.listSigningKeys()).length, 1);
    });

    it("keeps CA key records, rotates them in one transaction, one active per purpose", async () => {
      const now = new Date("2026-06-01T00:00:00Z");
      const a = createCaKey("user", "ssh-ed25519", KEK, now);
      await store.caKeys.insert(a);
      await store.caKeys.saveStates(rotate(await store.caKeys.list("user"), "user", "activate", now));
      const b = createCaKey("user", "ssh-ed25519", KEK, new Date(now.getTime() + 1000));
      await store.caKeys.insert(b);
      await store.caKeys.insert(createCaKey("host", "ssh-ed25519", KEK, now));
      const later = new Date("2026-06-02T00:00:00Z");
      await store.caKeys.saveStates(rotate(await store.caKeys.list("user"), "user", "activate", later));
      const users = await store.caKeys.list("user");
      assert.deepEqual(
        users.map((r) => [r.id, r.state]),
        [
          [a.id, "previous"],
          [b.id, "active"],
        ],
      );
      assert.equal(users[1]?.stateChangedAt.getTime(), later.getTime());
      assert.equal(users[1]?.sealedPrivateKey, b.sealedPrivateKey);
      const active = activeCaKey(users, "user");
      assert.ok(openCaSigner(active, KEK));
      assert.throws(() => openCaSigner(active, randomBytes(32)), { code: "ERR_CA_KEY_UNAVAILABLE" });
      // A second active user key (another replica's stale rotation) is refused.
      await assert.rejects(
        store.caKeys.saveStates([{ id: a.id, state: "active", stateChangedAt: later }]),
        KeyStateConflictError,
      );
      assert.equal((await store.caKeys.list()).length, 3);
    });

    it("records serials up to 2^63-1 exactly and refuses a duplicate", async () => {
      const serials = [MAX_SERIAL, MAX_SERIAL - 1n, (1n << 53n) + 1n, 1n, 0x7fff_0000_0000_0001n];
      for (const [i, s] of serials.entries()) await store.certificates.record(issued(s, i));
      for (const s of serials) assert.equal((await store.certificates.get(s))?.serial, s);
      await assert.rejects(store.certificates.record(issued(MAX_SERIAL, 9)), CertificateSerialInUseError);
      await assert.rejects(store.certificates.record(issued(1n << 63n, 9)), TypeError);
      await assert.rejects(store.certificates.record(issued(0n, 9)), TypeError);
      const got = await store.certificates.get(MAX_SERIAL);
      assert.deepEqual(got, issued(MAX_SERIAL, 0, { keyFingerprint: got?.keyFingerprint as string }));
      const raw = await database.raw(
        "select cast(serial as text) as s from ssh_certificates order by serial desc",
      );
      assert.equal(raw[0]?.s, MAX_SERIAL.toString());
    });

    it("records a group of certificates in one call, all or none when one serial is taken", async () => {
      const group = [5001n, 5002n, 5003n].map((s, i) => issued(s, i, { tenantId: "t8" }));
      await store.certificates.recordMany(group);
      for (const c of group) assert.equal((await store.certificates.get(c.serial))?.serial, c.serial);
      await assert.rejects(
        store.transaction((tx) =>
          tx.certificates.recordMany([
            issued(5004n, 4, { tenantId: "t8" }),
            issued(5002n, 5, { tenantId: "t8" }),
          ]),
        ),
        CertificateSerialInUseError,
      );
      assert.equal(await store.certificates.get(5004n), undefined, "nothing of the failed group stays");
    });

    it("lists by principal, object, time and validity with pages, and builds revocations", async () => {
      for (let i = 10; i < 30; i++) await store.certificates.record(issued(BigInt(1000 + i), i));
      const seen: bigint[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.certificates.list(
          { tenantId: "t1", principal: "alice" },
          { limit: 4, cursor },
        );
        seen.push(...page.items.map((c) => c.serial));
        cursor = page.nextCursor;
      } while (cursor);
      const alice = (
        await store.certificates.list({ tenantId: "t1", objectId: "alice-oid" }, { limit: 1000 })
      ).items;
      assert.deepEqual(
        seen,
        alice.map((c) => c.serial),
      );
      assert.ok(alice.every((c, i) => i === 0 || (alice[i - 1] as IssuedCertificate).issuedAt >= c.issuedAt));
      assert.equal(alice.length, 13);
      const t = new Date(Date.parse("2026-06-01T00:00:00Z") + 20 * 60_000);
      const windowed = await store.certificates.list(
        { tenantId: "t1", from: t, to: new Date(t.getTime() + 180_000) },
        { limit: 10 },
      );
      assert.deepEqual(
        windowed.items.map((c) => c.serial),
        [1022n, 1021n, 1020n],
      );
      const validLate = await store.certificates.list(
        { tenantId: "t1", validAt: new Date(t.getTime() + 3_600_000 + 1) },
        { limit: 100 },
      );
      assert.ok(validLate.items.every((c) => c.issuedAt > t));
      assert.equal((await store.certificates.list({ tenantId: "other" }, { limit: 10 })).items.length, 0);
      await assert.rejects(
        store.certificates.list({ tenantId: "t1" }, { limit: 10, cursor: "bm90LWEtY3Vyc29y" }),
        {
          code: "ERR_INVALID_PAGE",
        },
      );

      // Equal issue times: pages break ties by serial, also beyond 2^53.
      const tie = new Date("2026-07-01T00:00:00Z");
      const big = [MAX_SERIAL - 5n, (1n << 60n) + 3n, 77n];
      for (const [i, s] of big.entries())
        await store.certificates.record(issued(s, i, { tenantId: "t9", issuedAt: tie }));
      const tied: bigint[] = [];
      let next: string | undefined;
      do {
        const page = await store.certificates.list({ tenantId: "t9" }, { limit: 1, cursor: next });
        tied.push(...page.items.map((c) => c.serial));
        next = page.nextCursor;
      } while (next);
      assert.deepEqual(tied, [MAX_SERIAL - 5n, (1n << 60n) + 3n, 77n]);

      const at = new Date("2026-06-01T01:00:00Z");
      assert.equal(await store.certificates.revokeSerial(MAX_SERIAL, at, "key lost"), true);
      assert.equal(await store.certificates.revokeSerial(MAX_SERIAL, at, "again"), false);
      assert.equal(await store.certificates.revokeSerial(1025n, at, "user left"), true);
      assert.equal(await store.certificates.revokeSerial(424242n, at, "unknown"), false);
      assert.equal(await store.certificates.revokeKeyId("t1", "bob-oid@t1", at, "disabled"), true);
      assert.equal(await store.certificates.revokeKeyId("t1", "bob-oid@t1", at, "disabled"), false);
      const revoked = await store.certificates.get(MAX_SERIAL);
      assert.equal(revoked?.revokedAt?.getTime(), at.getTime());
      assert.equal(revoked?.revocationReason, "key lost");
      const live = await store.certificates.revocations(new Date("2026-06-01T00:59:59Z"), "ca-1");
      assert.deepEqual(live, { serials: [1025n, MAX_SERIAL], keyIds: ["bob-oid@t1"] });
      // MAX_SERIAL's certificate (i = 0) expired at 01:00; 1025's at 01:25.
      const later = await store.certificates.revocations(new Date("2026-06-01T01:10:00Z"));
      assert.deepEqual(later.serials, [1025n]);
      assert.deepEqual((await store.certificates.revocations(at, "ca-2")).serials, []);
      const revokedList = await store.certificates.list({ tenantId: "t1", revoked: true }, { limit: 10 });
      assert.deepEqual(
        revokedList.items.map((c) => c.serial),
        [1025n, MAX_SERIAL],
      );
    });
  });
}
