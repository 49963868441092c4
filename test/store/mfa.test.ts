/** Second factors on both dialects: sealed TOTP seeds with single-use steps, passkeys. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createTenant, createUser, deleteUser, type Tenant, type User } from "../../src/directory/index.ts";
import { enrollTotp, totpCodeAt, verifyTotp } from "../../src/mfa/index.ts";
import { AccountNotFoundError, openStore, PasskeyInUseError, type Store } from "../../src/store/index.ts";
import { createTestDatabase, selectedDialects, type TestDatabase } from "./dialects.ts";

const KEK = randomBytes(32);
const now = new Date("2026-06-01T00:00:00Z");

const passkey = (id: string, counter = 0) => ({
  id,
  publicKey: new Uint8Array(randomBytes(77)),
  counter,
  transports: ["internal", "hybrid"],
});

for (const dialect of selectedDialects()) {
  describe(`mfa factors on ${dialect}`, () => {
    let database: TestDatabase;
    let store: Store;
    let tenant: Tenant;
    let alice: User;
    let bob: User;
    before(async () => {
      database = createTestDatabase(dialect);
      store = await openStore({ url: database.url, keyEncryptionKey: KEK });
      tenant = await createTenant(store.directory, { name: "contoso" });
      alice = await createUser(store.directory, {
        tenantId: tenant.id,
        upn: "alice@contoso.example",
        displayName: "Alice",
      });
      bob = await createUser(store.directory, {
        tenantId: tenant.id,
        upn: "bob@contoso.example",
        displayName: "Bob",
      });
    });
    after(async () => {
      await store?.close();
      await database?.drop();
    });

    it("seals the TOTP seed and accepts each step once, even concurrently", async () => {
      const { secret } = await enrollTotp("hostpass", "alice@contoso.example");
      const t = now.getTime();
      const first = verifyTotp(secret, totpCodeAt(secret, t), t, null);
      await store.mfa.saveTotp(alice.id, secret, first, now);
      const rows = await database.raw("select sealed_secret from mfa_totp");
      assert.equal(rows.length, 1);
      assert.ok(!String(rows[0]?.sealed_secret).includes(secret));
      const stored = await store.mfa.getTotp(alice.id);
      assert.equal(stored?.secret, secret);
      assert.equal(stored?.lastUsedStep, first);

      const later = t + 60_000;
      const step = verifyTotp(secret, totpCodeAt(secret, later), later, stored?.lastUsedStep ?? null);
      const wins = await Promise.all(
        Array.from({ length: 10 }, () => store.mfa.useTotpStep(alice.id, step, now)),
      );
      assert.equal(wins.filter(Boolean).length, 1);
      assert.equal(await store.mfa.useTotpStep(alice.id, step - 1, now), false);
      assert.equal((await store.mfa.getTotp(alice.id))?.lastUsedStep, step);
      assert.equal(await store.mfa.useTotpStep(bob.id, step, now), false);
      assert.equal(await store.mfa.getTotp(bob.id), undefined);
    });

    it("does not open a seed with another key, nor one moved onto another account", async () => {
      await store.mfa.saveTotp(bob.id, "JBSWY3DPEHPK3PXP", null, now);
      await store.close();
      const wrong = await openStore({ url: database.url, keyEncryptionKey: randomBytes(32) });
      await assert.rejects(wrong.mfa.getTotp(alice.id), { code: "ERR_SEALED_SECRET_UNREADABLE" });
      await wrong.close();
      store = await openStore({ url: database.url, keyEncryptionKey: KEK });
      const [a] = await database.raw("select sealed_secret from mfa_totp where principal_id = ?", [alice.id]);
      await database.raw("update mfa_totp set sealed_secret = ? where principal_id = ?", [
        a?.sealed_secret,
        bob.id,
      ]);
      await assert.rejects(store.mfa.getTotp(bob.id), { code: "ERR_SEALED_SECRET_UNREADABLE" });
      assert.equal(await store.mfa.deleteTotp(bob.id), true);
      await assert.rejects(
        store.mfa.saveTotp("no-such-account", "JBSWY3DPEHPK3PXP", null, now),
        AccountNotFoundError,
      );
    });

    it("stores passkeys, finds them by credential id, keeps credential ids unique", async () => {
      const hostileId = `'; DROP TABLE mfa_passkeys;--\u0000${"A".repeat(300)}`;
      const pk1 = passkey("cred-1", 5);
      await store.mfa.addPasskey(alice.id, pk1, now);
      await store.mfa.addPasskey(alice.id, passkey(hostileId), new Date(now.getTime() + 1));
      await assert.rejects(store.mfa.addPasskey(bob.id, passkey("cred-1"), now), PasskeyInUseError);
      await assert.rejects(store.mfa.addPasskey(alice.id, passkey("cred-1"), now), PasskeyInUseError);
      const found = await store.mfa.findPasskey("cred-1");
      assert.deepEqual(found, { accountId: alice.id, tenantId: tenant.id, passkey: pk1, createdAt: now });
      assert.equal((await store.mfa.findPasskey(hostileId))?.passkey.id, hostileId);
      assert.equal(await store.mfa.findPasskey("cred-2"), undefined);
      assert.deepEqual(
        (await store.mfa.listPasskeys(alice.id)).map((p) => p.passkey.id),
        ["cred-1", hostileId],
      );
      assert.deepEqual(await store.mfa.listPasskeys(bob.id), []);
    });

    it("moves passkey counters forward only and deletes with the account", async () => {
      const used = new Date(now.getTime() + 5000);
      assert.equal(await store.mfa.updatePasskeyCounter(alice.id, "cred-1", 9, used), true);
      assert.equal(await store.mfa.updatePasskeyCounter(alice.id, "cred-1", 7, used), false);
      assert.equal(await store.mfa.updatePasskeyCounter(bob.id, "cred-1", 10, used), false);
      const p = await store.mfa.findPasskey("cred-1");
      assert.equal(p?.passkey.counter, 9);
      assert.equal(p?.lastUsedAt?.getTime(), used.getTime());
      assert.equal(await store.mfa.deletePasskey(bob.id, "cred-1"), false);
      assert.equal(await store.mfa.deletePasskey(alice.id, "cred-1"), true);
      await store.mfa.saveTotp(alice.id, "JBSWY3DPEHPK3PXP", null, now);
      await deleteUser(store.directory, tenant.id, alice.id);
      assert.deepEqual(await store.mfa.listPasskeys(alice.id), []);
      assert.equal(await store.mfa.getTotp(alice.id), undefined);
    });
  });
}
