/** Groups, service principals, managed identities and devices on both dialects. */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  addCertificateCredential,
  addClientSecret,
  addGroupMember,
  createGroup,
  createManagedIdentity,
  createServicePrincipal,
  createTenant,
  createUser,
  GroupCycleError,
  groupClosure,
  InvalidCredentialsError,
  InvalidDirectoryInputError,
  registerDevice,
  setDeviceCompliant,
  setManagedIdentityEnabled,
  type Tenant,
  verifyClientSecret,
} from "../../src/directory/index.ts";
import type { Store } from "../../src/store/index.ts";
import { createTestDatabase, selectedDialects } from "./dialects.ts";

for (const dialect of selectedDialects()) {
  describe(`directory groups, apps and devices on ${dialect}`, () => {
    const database = createTestDatabase(dialect);
    let store: Store;
    let tenant: Tenant;
    before(async () => {
      store = await database.open();
      tenant = await createTenant(store.directory, { name: "contoso" });
    });
    after(async () => {
      await store?.close();
      await database.drop();
    });

    it("lists the tenant's memberships in (group, member) pages, and no other tenant's", async () => {
      const other = await createTenant(store.directory, { name: "other-memberships" });
      const theirs = await createGroup(store.directory, { tenantId: other.id, displayName: "theirs" });
      const stranger = await createUser(store.directory, {
        tenantId: other.id,
        upn: "stranger@other.example",
        displayName: "S",
      });
      await addGroupMember(store.directory, {
        tenantId: other.id,
        groupId: theirs.id,
        memberId: stranger.id,
      });
      const groups = await Promise.all(
        ["m1", "m2", "m3"].map((n) => createGroup(store.directory, { tenantId: tenant.id, displayName: n })),
      );
      const users = await Promise.all(
        ["a", "b", "c"].map((n) =>
          createUser(store.directory, { tenantId: tenant.id, upn: `pager-${n}@contoso.com`, displayName: n }),
        ),
      );
      const expected: string[] = [];
      for (const g of groups)
        for (const u of users.slice(0, 2)) {
          await addGroupMember(store.directory, { tenantId: tenant.id, groupId: g.id, memberId: u.id });
          expected.push(`${g.id} ${u.id}`);
        }
      const seen: string[] = [];
      let after: { groupId: string; memberId: string } | undefined;
      for (let pages = 0; ; pages++) {
        assert.ok(pages < 20, "paging ends");
        const page = await store.directory.listMemberships(tenant.id, after, 4);
        seen.push(...page.map((m) => `${m.groupId} ${m.memberId}`));
        after = page.at(-1);
        if (page.length < 4) break;
      }
      // Other tests' memberships of this tenant may be there too; ours all are, in order, once.
      const ours = seen.filter((m) => expected.includes(m));
      assert.deepEqual(ours, [...expected].sort());
      assert.equal(new Set(seen).size, seen.length);
      assert.deepEqual([...seen].sort(), seen);
      assert.ok(!seen.some((m) => m.includes(stranger.id)));
    });

    it("computes the transitive group closure and refuses cycles", async () => {
      const user = await createUser(store.directory, {
        tenantId: tenant.id,
        upn: "nested@contoso.com",
        displayName: "N",
      });
      const [g1, g2, g3] = await Promise.all(
        ["g1", "g2", "g3"].map((n) => createGroup(store.directory, { tenantId: tenant.id, displayName: n })),
      );
      if (!g1 || !g2 || !g3) throw new Error("groups");
      await addGroupMember(store.directory, { tenantId: tenant.id, groupId: g1.id, memberId: user.id });
      await addGroupMember(store.directory, { tenantId: tenant.id, groupId: g2.id, memberId: g1.id });
      await addGroupMember(store.directory, { tenantId: tenant.id, groupId: g3.id, memberId: g2.id });
      await addGroupMember(store.directory, { tenantId: tenant.id, groupId: g3.id, memberId: user.id });
      assert.deepEqual(
        [...(await groupClosure(store.directory, tenant.id, user.id))].sort(),
        [g1.id, g2.id, g3.id].sort(),
      );
      await assert.rejects(
        addGroupMember(store.directory, { tenantId: tenant.id, groupId: g1.id, memberId: g3.id }),
        GroupCycleError,
      );
      await assert.rejects(
        addGroupMember(store.directory, { tenantId: tenant.id, groupId: g1.id, memberId: g1.id }),
        GroupCycleError,
      );
      // Two concurrent edges that would close a cycle together: at most one succeeds.
      const [a, b] = await Promise.all(
        ["a", "b"].map((n) => createGroup(store.directory, { tenantId: tenant.id, displayName: n })),
      );
      if (!a || !b) throw new Error("groups");
      const results = await Promise.allSettled([
        addGroupMember(store.directory, { tenantId: tenant.id, groupId: a.id, memberId: b.id }),
        addGroupMember(store.directory, { tenantId: tenant.id, groupId: b.id, memberId: a.id }),
      ]);
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
      // A cycle written around the domain check (by hand, in the database) still terminates.
      const [c, d] = await Promise.all(
        ["c", "d"].map((n) => createGroup(store.directory, { tenantId: tenant.id, displayName: n })),
      );
      if (!c || !d) throw new Error("groups");
      await store.directory.addGroupMember(tenant.id, c.id, d.id, new Date());
      await store.directory.addGroupMember(tenant.id, d.id, c.id, new Date());
      assert.deepEqual([...(await groupClosure(store.directory, tenant.id, c.id))], [d.id]);
    });

    it("computes a closure 520 groups wide in one query", async () => {
      const user = await createUser(store.directory, {
        tenantId: tenant.id,
        upn: "wide@contoso.com",
        displayName: "W",
      });
      const top = await createGroup(store.directory, { tenantId: tenant.id, displayName: "top" });
      const ids: string[] = [];
      for (let i = 0; i < 520; i++) {
        const g = await createGroup(store.directory, { tenantId: tenant.id, displayName: `wide-${i}` });
        await store.directory.addGroupMember(tenant.id, g.id, user.id, new Date());
        await store.directory.addGroupMember(tenant.id, top.id, g.id, new Date());
        ids.push(g.id);
      }
      const closure = await groupClosure(store.directory, tenant.id, user.id);
      assert.equal(closure.size, 521);
      assert.ok(closure.has(top.id));
      assert.equal((await store.directory.getPrincipals(tenant.id, ids)).length, 520);
    });

    it("keeps only hashes of client secrets and honours expiry", async () => {
      let now = new Date("2026-01-01T00:00:00Z");
      const sp = await createServicePrincipal(store.directory, {
        tenantId: tenant.id,
        displayName: "deployer",
      });
      const { secret, credential } = await addClientSecret(store.directory, {
        tenantId: tenant.id,
        principalId: sp.id,
        expiresAt: new Date("2026-02-01T00:00:00Z"),
        now: () => now,
      });
      const rows = await database.raw("select secret_hash from client_secrets where id = ?", [credential.id]);
      assert.notEqual(rows[0]?.secret_hash, secret);
      assert.equal(
        (await verifyClientSecret(store.directory, { appId: sp.appId, secret, now: () => now })).id,
        sp.id,
      );
      await assert.rejects(
        verifyClientSecret(store.directory, { appId: sp.appId, secret: `${secret}x`, now: () => now }),
        InvalidCredentialsError,
      );
      now = new Date("2026-03-01T00:00:00Z");
      await assert.rejects(
        verifyClientSecret(store.directory, { appId: sp.appId, secret, now: () => now }),
        InvalidCredentialsError,
      );
      const { publicKey } = generateKeyPairSync("ed25519");
      const cert = await addCertificateCredential(store.directory, {
        tenantId: tenant.id,
        principalId: sp.id,
        publicKeyJwk: publicKey.export({ format: "jwk" }),
      });
      assert.equal(
        (await store.directory.listCertificateCredentials(tenant.id, sp.id))[0]?.thumbprint,
        cert.thumbprint,
      );
    });

    it("ties a managed identity to its resource and can disable it", async () => {
      const vm =
        "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg/providers/Compute/virtualMachines/vm1";
      const mi = await createManagedIdentity(store.directory, {
        tenantId: tenant.id,
        resourceId: vm,
        displayName: "vm1",
      });
      assert.equal((await store.directory.findManagedIdentityByResource(vm.toLowerCase()))?.id, mi.id);
      await assert.rejects(
        createManagedIdentity(store.directory, { tenantId: tenant.id, resourceId: vm, displayName: "vm1" }),
      );
      await assert.rejects(
        createManagedIdentity(store.directory, {
          tenantId: tenant.id,
          resourceId: vm.replace(/\/providers.*/, ""),
          displayName: "rg",
        }),
        InvalidDirectoryInputError,
        "a resource group cannot own a system-assigned identity",
      );
      await setManagedIdentityEnabled(store.directory, tenant.id, mi.id, false);
      assert.equal((await store.directory.getPrincipal(tenant.id, mi.id))?.enabled, false);
    });

    it("registers devices by key thumbprint with a compliance flag", async () => {
      const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const jwk = publicKey.export({ format: "jwk" });
      const device = await registerDevice(store.directory, {
        tenantId: tenant.id,
        displayName: "laptop",
        platform: "linux",
        publicKeyJwk: jwk,
      });
      assert.equal(device.compliant, false);
      await setDeviceCompliant(store.directory, {
        tenantId: tenant.id,
        deviceId: device.id,
        compliant: true,
      });
      assert.equal(
        (await store.directory.findDeviceByThumbprint(tenant.id, device.keyThumbprint))?.compliant,
        true,
      );
      await assert.rejects(
        registerDevice(store.directory, {
          tenantId: tenant.id,
          displayName: "dup",
          platform: "linux",
          publicKeyJwk: jwk,
        }),
      );
      const tpm = await registerDevice(store.directory, {
        tenantId: tenant.id,
        displayName: "tpm-backed",
        platform: "windows",
        keyThumbprint: "A".repeat(43),
      });
      assert.equal(tpm.keyJwk, undefined);
      await assert.rejects(
        registerDevice(store.directory, {
          tenantId: tenant.id,
          displayName: "x",
          platform: "linux",
          keyThumbprint: "short",
        }),
        InvalidDirectoryInputError,
      );
    });
  });
}
