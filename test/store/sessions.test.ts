/**
 * Sign-in sessions that end (issue 11 item 4), on both dialects: disabling or revoking moves the
 * principal's sessions-valid-from time forward and never back, re-enabling keeps it, and the
 * API's composition (server/lib/sessions.ts) revokes exactly the principal's still-valid certificates
 * in the same transaction.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { IssuedCertificate } from "../../src/ca/index.ts";
import {
  createGroup,
  createServicePrincipal,
  createTenant,
  createUser,
  PrincipalNotFoundError,
  revokeSignInSessions,
  setPrincipalEnabled,
  setUserEnabled,
  type Tenant,
  type User,
} from "../../src/directory/index.ts";
import { endSignInSessions, setEnabledEndingSessions } from "../../src/server/lib/sessions.ts";
import type { Store } from "../../src/store/index.ts";
import { createTestDatabase, selectedDialects } from "./dialects.ts";

const T0 = Date.parse("2026-03-01T10:00:00.250Z");
const at = (offsetMs: number) => () => new Date(T0 + offsetMs);

for (const dialect of selectedDialects()) {
  describe(`sign-in sessions on ${dialect}`, () => {
    const database = createTestDatabase(dialect);
    let store: Store;
    let tenant: Tenant;
    let n = 0;
    const newUser = () =>
      createUser(store.directory, { tenantId: tenant.id, upn: `s${++n}@contoso.com`, displayName: "S" });
    before(async () => {
      store = await database.open();
      tenant = await createTenant(store.directory, { name: "contoso" });
    });
    after(async () => {
      await store?.close();
      await database.drop();
    });

    it("a new principal has never had its sessions revoked", async () => {
      const user = await newUser();
      assert.equal((await store.directory.getPrincipal(tenant.id, user.id))?.sessionsValidFrom, undefined);
    });

    it("disabling sets the time; re-enabling keeps it; only a later revocation moves it", async () => {
      const user = await newUser();
      const disabled = await setUserEnabled(store.directory, tenant.id, user.id, false, at(0));
      assert.equal(disabled.enabled, false);
      assert.equal(disabled.sessionsValidFrom?.getTime(), T0);
      const enabled = await setUserEnabled(store.directory, tenant.id, user.id, true, at(5_000));
      assert.equal(enabled.enabled, true);
      assert.equal(enabled.sessionsValidFrom?.getTime(), T0, "re-enabling brings no old token back");
      const later = await revokeSignInSessions(store.directory, {
        tenantId: tenant.id,
        id: user.id,
        now: at(9_000),
      });
      assert.equal(later.sessionsValidFrom?.getTime(), T0 + 9_000);
      assert.equal(later.enabled, true, "revoking sessions does not disable");
      // A clock that stepped back cannot revive tokens the later revocation voided.
      const earlier = await revokeSignInSessions(store.directory, {
        tenantId: tenant.id,
        id: user.id,
        now: at(1_000),
      });
      assert.equal(earlier.sessionsValidFrom?.getTime(), T0 + 9_000);
    });

    it("service principals too; groups, unknown ids and the wrong kind are not found", async () => {
      const sp = await createServicePrincipal(store.directory, { tenantId: tenant.id, displayName: "robot" });
      const off = await setPrincipalEnabled(store.directory, {
        tenantId: tenant.id,
        id: sp.id,
        kind: "servicePrincipal",
        enabled: false,
        now: at(0),
      });
      assert.equal(off.sessionsValidFrom?.getTime(), T0);
      const group = await createGroup(store.directory, { tenantId: tenant.id, displayName: "g" });
      const user = await newUser();
      const refused: Array<[string, () => Promise<unknown>]> = [
        ["a group", () => revokeSignInSessions(store.directory, { tenantId: tenant.id, id: group.id })],
        [
          "an unknown id",
          () =>
            revokeSignInSessions(store.directory, {
              tenantId: tenant.id,
              id: "4b0c1a1e-0000-4000-8000-000000000000",
            }),
        ],
        [
          "a user addressed as a service principal",
          () =>
            setPrincipalEnabled(store.directory, {
              tenantId: tenant.id,
              id: user.id,
              kind: "servicePrincipal",
              enabled: false,
            }),
        ],
      ];
      for (const [what, call] of refused) await assert.rejects(call(), PrincipalNotFoundError, what);
      assert.equal((await store.directory.getPrincipal(tenant.id, user.id))?.enabled, true);
    });

    describe("as the API does it (server/lib/sessions.ts): tokens and certificates in one transaction", () => {
      let serial = 5000n;
      const certificate = (owner: User, validFor: [number, number]): IssuedCertificate => ({
        serial: ++serial,
        tenantId: tenant.id,
        objectId: owner.id,
        principal: owner.linuxName,
        keyId: `${owner.id}@${tenant.id}`,
        keyFingerprint: `SHA256:${"A".repeat(43)}`,
        caKeyId: "ca-1",
        validAfter: new Date(T0 + validFor[0]),
        validBefore: new Date(T0 + validFor[1]),
        tokenId: `token-${serial}`,
        policies: [],
        issuedAt: new Date(T0 + validFor[0]),
      });

      it("revokes the principal's valid certificates, not expired ones nor other principals'", async () => {
        const alice = await newUser();
        const bob = await newUser();
        const valid = [certificate(alice, [-60_000, 3_600_000]), certificate(alice, [-1_000, 600_000])];
        const expired = certificate(alice, [-7_200_000, -3_600_000]);
        const bobs = certificate(bob, [-60_000, 3_600_000]);
        for (const c of [...valid, expired, bobs]) await store.certificates.record(c);
        const now = at(0)();
        const ended = await store.transaction((tx) =>
          endSignInSessions(tx, { tenantId: tenant.id, id: alice.id, kind: "user" }, now),
        );
        assert.deepEqual([...ended.certificatesRevoked].sort(), valid.map((c) => c.serial).sort());
        assert.equal(ended.principal.sessionsValidFrom?.getTime(), T0);
        for (const c of valid) {
          const stored = await store.certificates.get(c.serial);
          assert.equal(stored?.revokedAt?.getTime(), T0);
          assert.equal(stored?.revocationReason, "sign-in sessions revoked");
        }
        assert.equal((await store.certificates.get(expired.serial))?.revokedAt, undefined);
        assert.equal((await store.certificates.get(bobs.serial))?.revokedAt, undefined);
        const krl = await store.certificates.revocations(new Date(T0));
        for (const c of valid) assert.ok(krl.serials.includes(c.serial), "the KRL lists it");
        // Disabling later finds nothing left to revoke; enabling revokes nothing and revives nothing.
        const setEnabled = (enabled: boolean) =>
          store.transaction((tx) =>
            setEnabledEndingSessions(tx, { tenantId: tenant.id, id: alice.id, kind: "user", enabled }, now),
          );
        const off = await setEnabled(false);
        assert.deepEqual(off.certificatesRevoked, []);
        const on = await setEnabled(true);
        assert.deepEqual(on.certificatesRevoked, []);
        for (const c of valid)
          assert.notEqual((await store.certificates.get(c.serial))?.revokedAt, undefined);
      });

      it("leaves nothing half-done: a failure revoking certificates rolls back the tokens' revocation", async () => {
        const alice = await newUser();
        const c = certificate(alice, [-60_000, 3_600_000]);
        await store.certificates.record(c);
        // The ledger fails mid-change: the directory's write in the same transaction rolls back.
        const failing = (work: (tx: Parameters<typeof endSignInSessions>[0]) => Promise<unknown>) =>
          store.transaction((tx) =>
            work({
              directory: tx.directory,
              certificates: {
                list: (query, page) => tx.certificates.list(query, page),
                revokeSerial: async () => {
                  throw new Error("the disk is full");
                },
              },
            }),
          );
        const input = { tenantId: tenant.id, id: alice.id, kind: "user" as const };
        const now = at(0)();
        await assert.rejects(
          failing((tx) => endSignInSessions(tx, input, now)),
          /disk is full/,
        );
        await assert.rejects(
          failing((tx) => setEnabledEndingSessions(tx, { ...input, enabled: false }, now)),
          /disk is full/,
        );
        const stored = await store.directory.getPrincipal(tenant.id, alice.id);
        assert.equal(stored?.sessionsValidFrom, undefined);
        assert.equal(stored?.enabled, true);
        assert.equal((await store.certificates.get(c.serial))?.revokedAt, undefined);
      });
    });
  });
}
