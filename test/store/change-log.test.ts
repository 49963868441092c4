/**
 * The change log on both dialects: every login-relevant write records its entry in the same
 * transaction, versions are consecutive per tenant and visible in order (concurrent writers, a
 * reader never sees a gap or a duplicate), a rolled-back change leaves nothing, and a consumer
 * resumes from a version.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  addGroupMember,
  createGroup,
  createManagedIdentity,
  createServicePrincipal,
  createTenant,
  createUser,
  deleteUser,
  removeGroupMember,
  setUserEnabled,
  type Tenant,
} from "../../src/directory/index.ts";
import { createRoleAssignment, RbacEngine, SYSTEM_ACTOR } from "../../src/rbac/index.ts";
import {
  createManagementGroup,
  createResourceGroup,
  createRootManagementGroup,
  createSubscription,
  createVirtualMachine,
  deleteResource,
  moveUnderManagementGroup,
  putExtension,
  removeExtension,
  setMachineIdentity,
} from "../../src/resources/index.ts";
import type { LoggedChange } from "../../src/shared/change-log.ts";
import type { Store } from "../../src/store/index.ts";
import { createTestDatabase, selectedDialects } from "./dialects.ts";

const SUB = "3d8f0c7e-5a43-4a8e-9c1b-2f6d7e8a9b10";
const RG = `/subscriptions/${SUB}/resourceGroups/linux`;
const VM = `${RG}/providers/Compute/virtualMachines/web1`;

/** Everything after `after`, read in pages of `page`, checking each page is gapless. */
async function readAll(store: Store, tenantId: string, after: number, page = 3): Promise<LoggedChange[]> {
  const out: LoggedChange[] = [];
  let at = after;
  for (;;) {
    const batch = await store.changeLog.since(tenantId, at, page);
    for (const c of batch) {
      assert.equal(c.version, at + 1, "versions are consecutive, each seen once");
      at = c.version;
      out.push(c);
    }
    if (batch.length < page) return out;
  }
}

for (const dialect of selectedDialects()) {
  describe(`change log on ${dialect}`, () => {
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

    it("records directory changes with the whole new state, in order", async () => {
      const start = await store.changeLog.head(tenant.id);
      const alice = await createUser(store.directory, {
        tenantId: tenant.id,
        upn: "alice@contoso.com",
        displayName: "Alice",
      });
      const group = await createGroup(store.directory, { tenantId: tenant.id, displayName: "Admins" });
      await addGroupMember(store.directory, { tenantId: tenant.id, groupId: group.id, memberId: alice.id });
      await addGroupMember(store.directory, { tenantId: tenant.id, groupId: group.id, memberId: alice.id });
      await setUserEnabled(store.directory, tenant.id, alice.id, false);
      await removeGroupMember(store.directory, {
        tenantId: tenant.id,
        groupId: group.id,
        memberId: alice.id,
      });
      const sp = await createServicePrincipal(store.directory, { tenantId: tenant.id, displayName: "robot" });
      await deleteUser(store.directory, tenant.id, alice.id);
      const changes = await readAll(store, tenant.id, start);
      assert.deepEqual(
        changes.map((c) => c.kind),
        [
          "principal.put",
          "principal.put",
          "membership.added", // the second, idempotent add records nothing
          "principal.put",
          "membership.removed",
          "principal.put",
          "principal.deleted",
        ],
      );
      assert.deepEqual(changes[0], {
        version: start + 1,
        kind: "principal.put",
        principal: {
          id: alice.id,
          kind: "user",
          displayName: "Alice",
          enabled: true,
          linuxName: alice.linuxName,
          uid: alice.uid,
        },
      });
      assert.deepEqual(changes[2], {
        version: start + 3,
        kind: "membership.added",
        groupId: group.id,
        memberId: alice.id,
      });
      assert.equal((changes[3] as unknown as { principal: { enabled: boolean } }).principal.enabled, false);
      assert.equal((changes[5] as unknown as { principal: { uid: number } }).principal.uid, sp.uid);
      assert.deepEqual(changes[6], { version: start + 7, kind: "principal.deleted", id: alice.id });
      assert.equal(await store.changeLog.head(tenant.id), start + 7);
    });

    it("records the resource tree, machine identity, addresses and extensions, and RBAC", async () => {
      const start = await store.changeLog.head(tenant.id);
      await createRootManagementGroup(store.resources, { tenantId: tenant.id });
      await createManagementGroup(store.resources, { tenantId: tenant.id, name: "Linux" });
      await createSubscription(store.resources, {
        tenantId: tenant.id,
        subscriptionId: SUB,
        displayName: "S",
      });
      await createResourceGroup(store.resources, {
        tenantId: tenant.id,
        subscriptionId: SUB,
        name: "linux",
        location: "local",
      });
      const vm = await createVirtualMachine(store.resources, {
        tenantId: tenant.id,
        subscriptionId: SUB,
        resourceGroup: "linux",
        name: "web1",
        image: "debian-12",
        adminUsername: "localadmin",
        networkInterfaces: [{ name: "nic0", privateIp: "10.0.0.4", publicIp: "203.0.113.4" }],
      });
      const identity = await createManagedIdentity(store.directory, {
        tenantId: tenant.id,
        resourceId: vm.id,
        displayName: "web1",
      });
      await setMachineIdentity(store.resources, vm.id, identity.id);
      const ext = {
        name: "SSHLoginForLinux",
        publisher: "hostpass",
        type: "SSHLoginForLinux",
        version: "1.0",
      };
      await putExtension(store.resources, vm.id, { ...ext, provisioningState: "Creating" });
      await removeExtension(store.resources, vm.id, "SSHLoginForLinux");
      await moveUnderManagementGroup(
        store.resources,
        `/subscriptions/${SUB}`,
        "/providers/Management/managementGroups/Linux",
      );
      const engine = await RbacEngine.open({
        repository: store.rbac,
        tenantId: tenant.id,
        groups: () => [],
        ancestry: () => [],
      });
      await createRoleAssignment(engine, SYSTEM_ACTOR, {
        role: "Virtual Machine User Login",
        principalId: identity.id,
        principalType: "ManagedIdentity",
        scope: VM,
      });
      const changes = await readAll(store, tenant.id, start);
      const kinds = changes.map((c) => c.kind);
      assert.deepEqual(kinds.slice(0, 5), Array(5).fill("resource.put"), "root, MG, subscription, RG, VM");
      assert.ok(kinds.includes("assignment.created"));
      const machines = changes.filter((c) => c.kind === "machine.put") as unknown as {
        machine: { key: string; identityPrincipalId?: string; addresses: string[]; extensions: unknown[] };
      }[];
      const last = machines.at(-1)?.machine;
      assert.deepEqual(machines[0]?.machine.addresses ?? [], [], "the machine row comes before its NICs");
      assert.deepEqual(machines.map((m) => m.machine.addresses.join(",")).at(-1), "10.0.0.4,203.0.113.4");
      assert.equal(last?.identityPrincipalId, identity.id);
      assert.deepEqual(last?.extensions, [], "the extension was removed again");
      assert.deepEqual(machines.find((m) => m.machine.extensions.length === 1)?.machine.extensions, [
        { name: "SSHLoginForLinux", type: "SSHLoginForLinux", provisioningState: "Creating" },
      ]);
      const moved = changes.filter((c) => c.kind === "resource.put").at(-1) as unknown as {
        resource: { key: string; parentKey: string };
      };
      assert.deepEqual(moved.resource, {
        key: `/subscriptions/${SUB}`,
        id: `/subscriptions/${SUB}`,
        kind: "subscription",
        parentKey: "/providers/management/managementgroups/linux",
      });
      assert.ok(kinds.indexOf("principal.put") > kinds.indexOf("machine.put"), "identity after the VM");

      const before = await store.changeLog.head(tenant.id);
      await assert.rejects(deleteResource(store.resources, RG)); // still has the VM
      assert.equal(await store.changeLog.head(tenant.id), before, "a refused delete records nothing");
      await deleteResource(store.resources, VM);
      const [deleted] = await readAll(store, tenant.id, before);
      assert.deepEqual(deleted, { version: before + 1, kind: "resource.deleted", key: VM.toLowerCase() });
    });

    it("a rolled-back transaction leaves neither its change nor a gap", async () => {
      const before = await store.changeLog.head(tenant.id);
      const user = await createUser(store.directory, {
        tenantId: tenant.id,
        upn: "rollback@contoso.com",
        displayName: "R",
      });
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.directory.setPrincipalEnabled(tenant.id, user.id, false);
          throw new Error("the change fails after writing");
        }),
        /fails after writing/,
      );
      assert.equal((await store.directory.getPrincipal(tenant.id, user.id))?.enabled, true);
      await setUserEnabled(store.directory, tenant.id, user.id, false);
      const changes = await readAll(store, tenant.id, before);
      assert.deepEqual(
        changes.map((c) => [c.version, c.kind]),
        [
          [before + 1, "principal.put"],
          [before + 2, "principal.put"],
        ],
      );
    });

    it("concurrent writers: a reader polling meanwhile sees every version once, in order", async () => {
      const start = await store.changeLog.head(tenant.id);
      const writers = 24;
      const total = writers / 2 + writers; // one entry per enable, two per membership transaction
      const users = await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          createUser(store.directory, {
            tenantId: tenant.id,
            upn: `w${i}@contoso.com`,
            displayName: `W${i}`,
          }),
        ),
      );
      const group = await createGroup(store.directory, { tenantId: tenant.id, displayName: "Writers" });
      const base = await store.changeLog.head(tenant.id);
      // Another replica on PostgreSQL; SQLite opens a file once per process (one writer anyway).
      const reader = dialect === "postgres" ? await database.open() : store;
      let done = false;
      const seen: number[] = [];
      const read = (async () => {
        let at = base;
        while (!done || at < base + total) {
          for (const c of await reader.changeLog.since(tenant.id, at, 5)) {
            assert.equal(c.version, at + 1, `after ${at} came ${c.version}`);
            at = c.version;
            seen.push(at);
          }
          await new Promise((r) => setImmediate(r));
        }
      })();
      try {
        await Promise.all(
          Array.from({ length: writers }, (_, i) => {
            const u = users[i % users.length] as (typeof users)[number];
            return i % 2 === 0
              ? setUserEnabled(store.directory, tenant.id, u.id, i % 4 === 0)
              : store.transaction(async (tx) => {
                  // Two changes in one transaction get two consecutive versions.
                  await tx.directory.addGroupMember(tenant.id, group.id, u.id, new Date());
                  await tx.directory.removeGroupMember(tenant.id, group.id, u.id);
                });
          }),
        );
      } finally {
        done = true;
      }
      await read;
      if (reader !== store) await reader.close();
      assert.equal(await store.changeLog.head(tenant.id), base + total);
      assert.deepEqual(
        seen.slice(0, total),
        Array.from({ length: total }, (_, i) => base + 1 + i),
      );
      assert.ok(start < base);
    });
  });
}
