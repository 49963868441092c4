/**
 * Issuance over the real store (SQLite and PostgreSQL): the ledger row, the activity-log event and
 * the sign-in entry of a certificate commit together; when recording fails no certificate is
 * returned and nothing of it stays; concurrent issuances share commits; the CA key follows a
 * rotation without a restart.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { calculateJwkThumbprint, type JWK } from "jose";
import { createAuditWriter } from "../../src/audit/index.ts";
import {
  createCaKey,
  createCaKeyring,
  createCertificateIssuance,
  createKeyProof,
  type IssuanceInput,
  rotate,
} from "../../src/ca/index.ts";
import { createServicePrincipal, createTenant } from "../../src/directory/index.ts";
import {
  accessSignals,
  ensureCaKeys,
  issuanceRecords,
  type SshStores,
} from "../../src/server/wire-certificates.ts";
import {
  fingerprintSha256,
  formatPublicKey,
  generateKeyPair,
  parseCertificateText,
  parsePublicKey,
  publicKeyToJwk,
} from "../../src/ssh/index.ts";
import type { Store } from "../../src/store/index.ts";
import { createTestDatabase, selectedDialects, TEST_KEK, type TestDatabase } from "../store/dialects.ts";

const URL_ = "https://hostpass.test/ssh/certificates";

for (const dialect of selectedDialects()) {
  describe(`issuance records (${dialect})`, () => {
    let database: TestDatabase;
    let store: Store;
    let tenantId: string;
    let sp: { id: string; appId: string };
    let time = Date.now();
    const clock = () => time;

    before(async () => {
      database = createTestDatabase(dialect);
      store = await database.open();
      tenantId = (await createTenant(store.directory, { name: "issuance" })).id;
      sp = await createServicePrincipal(store.directory, { tenantId, displayName: "automation" });
      await ensureCaKeys(store.caKeys, TEST_KEK, "ssh-ed25519", new Date());
    });
    after(async () => {
      await store.close();
      await database.drop();
    });

    function issuance(stores: SshStores = store) {
      const auditWriter = createAuditWriter(store.audit);
      const keyring = createCaKeyring(store.caKeys, TEST_KEK, clock);
      return {
        keyring,
        issuance: createCertificateIssuance({
          url: URL_,
          clock,
          // A test token names the DPoP key it is bound to: `bound.<jkt>`, or `unbound` for none.
          verifyAccessToken: async (t) => {
            if (t !== "unbound" && !t.startsWith("bound.")) throw new Error("unexpected token");
            return {
              tokenId: "jti",
              objectId: sp.id,
              tenantId,
              identityType: "app",
              clientId: sp.appId,
              amr: [],
              authTime: undefined,
              confirmationJkt: t === "unbound" ? undefined : t.slice("bound.".length),
            };
          },
          findSubject: async (tid, oid) => {
            const p = await store.directory.getPrincipal(tid, oid);
            return p?.kind === "servicePrincipal"
              ? { kind: p.kind, tenantId: tid, objectId: oid, linuxName: p.linuxName, enabled: p.enabled }
              : undefined;
          },
          signals: accessSignals(store),
          keyring,
          records: issuanceRecords(
            stores,
            { append: async (r) => void (await auditWriter.append(r)) },
            clock,
          ),
        }),
      };
    }

    async function input(options: { unbound?: boolean } = {}): Promise<IssuanceInput> {
      const key = generateKeyPair("ssh-ed25519");
      const jkt = await calculateJwkThumbprint(publicKeyToJwk(key.publicKey) as JWK, "sha256");
      const token = options.unbound ? "unbound" : `bound.${jkt}`;
      const dpop = await createKeyProof(key.privateKey, key.publicKey, {
        method: "POST",
        url: URL_,
        accessToken: token,
      });
      return {
        authorization: `${options.unbound ? "Bearer" : "DPoP"} ${token}`,
        dpop,
        publicKey: formatPublicKey(key.publicKey),
        ip: "192.0.2.7",
        userAgent: "test",
      };
    }

    const eventsOf = async (serial: string) =>
      (await store.audit.query({ tenantId, action: "Ssh/certificates/issue" }, { limit: 1000 })).items.filter(
        (e) => e.details.serial === serial,
      );

    test("a certificate is in the ledger, the activity log and the sign-in log once it is returned", async () => {
      const { issuance: ca } = issuance();
      const answers = await Promise.all(Array.from({ length: 20 }, async () => ca.request(await input())));
      for (const answer of answers) {
        const row = await store.certificates.get(BigInt(answer.serial));
        assert.ok(row, "in the ledger");
        assert.equal(row.principal, answer.principal);
        const [event] = await eventsOf(answer.serial);
        assert.equal(event?.result, "success");
        assert.equal(event?.actor, sp.id);
        assert.equal(event?.details.keyFingerprint, row.keyFingerprint);
      }
      const signIns = await store.signInLog.query(
        { tenantId, principalId: sp.id, result: "success" },
        { limit: 100 },
      );
      assert.ok(signIns.items.length >= 20, "one sign-in entry each");
    });

    test("an unbound (bearer) token is refused with ERR_CA_TOKEN_UNBOUND, recorded as a failed sign-in", async () => {
      const { issuance: ca } = issuance();
      const before = (await store.certificates.list({ tenantId }, { limit: 1000 })).items.length;
      await assert.rejects(ca.request(await input({ unbound: true })), { code: "ERR_CA_TOKEN_UNBOUND" });
      assert.equal((await store.certificates.list({ tenantId }, { limit: 1000 })).items.length, before);
      const events = await store.audit.query({ tenantId, action: "Ssh/certificates/issue" }, { limit: 1000 });
      assert.ok(
        events.items.some((e) => e.result === "failure" && e.details.code === "ERR_CA_TOKEN_UNBOUND"),
      );
      const failures = await store.signInLog.query(
        { tenantId, principalId: sp.id, result: "failure" },
        { limit: 100 },
      );
      assert.ok(failures.items.some((f) => f.failureReason?.startsWith("ERR_CA_TOKEN_UNBOUND")));
    });

    test("a proof is single-use across processes: the store decides, with the certificate", async () => {
      const same = await input();
      // Two issuance instances stand for two server processes (their memories of proof ids apart).
      const results = await Promise.allSettled([
        issuance().issuance.request(same),
        issuance().issuance.request(same),
      ]);
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
      const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      assert.equal((refused.reason as { code?: string }).code, "ERR_CA_PROOF_INVALID");
      const { issuance: ca } = issuance();
      await assert.rejects(ca.request(same), { code: "ERR_CA_PROOF_INVALID" }, "and later too");
    });

    test("when the activity log cannot be written, no certificate is returned and no ledger row stays", async () => {
      const failing: SshStores = {
        ...store,
        transaction: (work) =>
          store.transaction((tx) =>
            work({
              ...tx,
              audit: {
                ...tx.audit,
                transaction: async () => {
                  throw new Error("disk full");
                },
              },
            }),
          ),
      };
      const before = (await store.certificates.list({ tenantId }, { limit: 1000 })).items.length;
      const { issuance: ca } = issuance(failing);
      await assert.rejects(ca.request(await input()), /disk full/);
      const rows = (await store.certificates.list({ tenantId }, { limit: 1000 })).items.length;
      assert.equal(rows, before, "the ledger row rolled back with the event");
      const refusals = await store.audit.query(
        { tenantId, action: "Ssh/certificates/issue" },
        { limit: 1000 },
      );
      assert.ok(
        refusals.items.some((e) => e.result === "failure" && e.details.code === "ERR_INTERNAL"),
        "the failure is recorded, without internal text",
      );
      assert.ok(refusals.items.every((e) => !JSON.stringify(e.details).includes("disk full")));
    });

    test("a rotation is followed without a restart: the new active key signs", async () => {
      const { issuance: ca, keyring } = issuance();
      const first = parseCertificateText((await ca.request(await input())).certificate);
      const next = createCaKey("user", "ssh-ed25519", TEST_KEK, new Date());
      await store.caKeys.insert(next);
      await store.caKeys.saveStates(rotate(await store.caKeys.list(), "user", "activate", new Date()));
      time += 1001; // past the keyring's re-read interval, on the injected clock
      const second = parseCertificateText((await ca.request(await input())).certificate);
      assert.notEqual(Buffer.compare(first.caKey.blob, second.caKey.blob), 0);
      assert.equal(formatPublicKey(second.caKey), next.publicKey);
      const trusted = await ca.caKeys();
      assert.ok(trusted.userCaKeys.includes(next.publicKey), "the new key is trusted");
      assert.ok(trusted.userCaKeys.includes(formatPublicKey(first.caKey)), "the old one stays in overlap");
      // Every CA key is reserved: never certified as a user key.
      const { reservedKeys } = await keyring.current();
      assert.ok(reservedKeys.isReserved(fingerprintSha256(parsePublicKey(next.publicKey).blob)));
      assert.ok(reservedKeys.isReserved(fingerprintSha256(first.caKey.blob)));
    });
  });
}
