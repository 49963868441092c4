/** The resource tree on both dialects: ids, case-insensitive lookups, management-group chains, machines. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTenant, type Tenant } from "../../src/directory/index.ts";
import {
  addScaleSetInstance,
  createManagementGroup,
  createResourceGroup,
  createRootManagementGroup,
  createScaleSet,
  createSubscription,
  createVirtualMachine,
  deleteResource,
  findMachinesByIp,
  getMachine,
  InvalidResourceIdError,
  listChildren,
  managementGroupsAbove,
  putExtension,
  ResourceConflictError,
  recordHeartbeat,
  removeExtension,
  resolveScopeChain,
  updateScaleSetModel,
  upgradeScaleSetInstance,
} from "../../src/resources/index.ts";
import type { Store } from "../../src/store/index.ts";
import { createTestDatabase, selectedDialects } from "./dialects.ts";

const SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";

for (const dialect of selectedDialects()) {
  describe(`resources on ${dialect}`, () => {
    const database = createTestDatabase(dialect);
    let store: Store;
    let tenant: Tenant;
    before(async () => {
      store = await database.open();
      tenant = await createTenant(store.directory, { name: "fabrikam" });
      await createRootManagementGroup(store.resources, { tenantId: tenant.id });
      await createManagementGroup(store.resources, { tenantId: tenant.id, name: "Platform" });
      await createManagementGroup(store.resources, {
        tenantId: tenant.id,
        name: "Linux",
        parentId: "/providers/Management/managementGroups/platform",
      });
      await createSubscription(store.resources, {
        tenantId: tenant.id,
        subscriptionId: SUB.toUpperCase(),
        displayName: "Default",
        managementGroupId: "/providers/Microsoft.Management/managementGroups/LINUX",
      });
      for (const name of ["rg1", "rg10", "LinuxVMs"]) {
        await createResourceGroup(store.resources, {
          tenantId: tenant.id,
          subscriptionId: SUB,
          name,
          location: "local",
        });
      }
    });
    after(async () => {
      await store?.close();
      await database.drop();
    });

    it("resolves the ancestor chain through two management groups", async () => {
      const vm = await createVirtualMachine(store.resources, {
        tenantId: tenant.id,
        subscriptionId: SUB,
        resourceGroup: "LinuxVMs",
        name: "myVM",
        image: "debian-12",
        adminUsername: "localadmin",
        networkInterfaces: [{ privateIp: "10.11.12.13", publicIp: "203.0.113.7" }],
      });
      assert.equal(vm.location, "local", "inherits the group's location");
      const chain = await resolveScopeChain(store.resources, vm.id.toUpperCase());
      assert.deepEqual(
        chain.map((c) => c.id),
        [
          `/providers/Management/managementGroups/${tenant.id}`,
          "/providers/Management/managementGroups/Platform",
          "/providers/Management/managementGroups/Linux",
          `/subscriptions/${SUB}`,
          `/subscriptions/${SUB}/resourceGroups/LinuxVMs`,
          `/subscriptions/${SUB}/resourceGroups/LinuxVMs/providers/Compute/virtualMachines/myVM`,
        ],
      );
    });

    it("anchors an unstored id on its nearest stored ancestor, and lists management groups above", async () => {
      const ghost = `/subscriptions/${SUB}/resourceGroups/RG10/providers/Compute/virtualMachines/not-yet`;
      const chain = await resolveScopeChain(store.resources, ghost);
      assert.deepEqual(
        chain.slice(3).map((c) => c.id),
        [`/subscriptions/${SUB}`, `/subscriptions/${SUB}/resourceGroups/rg10`, ghost],
      );
      assert.deepEqual(await managementGroupsAbove(store.resources, `/subscriptions/${SUB}`), [
        "/providers/Management/managementGroups/Linux",
        "/providers/Management/managementGroups/Platform",
        `/providers/Management/managementGroups/${tenant.id}`,
      ]);
      const unknownSub = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/x";
      assert.deepEqual(
        (await resolveScopeChain(store.resources, unknownSub)).map((c) => c.kind),
        ["subscription", "resourceGroup"],
      );
    });

    it("never treats rg1 as an ancestor of rg10", async () => {
      const chain = await resolveScopeChain(store.resources, `/subscriptions/${SUB}/resourceGroups/rg10`);
      assert.ok(!chain.some((c) => c.key.endsWith("/resourcegroups/rg1")));
      const children = await listChildren(store.resources, `/subscriptions/${SUB}`, { limit: 10 });
      assert.deepEqual(children.items.map((c) => c.name).sort(), ["LinuxVMs", "rg1", "rg10"]);
    });

    it("looks names up case-insensitively but keeps their case, and refuses duplicates by case", async () => {
      const vm = await getMachine(
        store.resources,
        `/SUBSCRIPTIONS/${SUB}/RESOURCEGROUPS/linuxvms/providers/compute/virtualmachines/MYVM`,
      );
      assert.equal(vm.name, "myVM");
      await assert.rejects(
        createResourceGroup(store.resources, {
          tenantId: tenant.id,
          subscriptionId: SUB,
          name: "RG1",
          location: "local",
        }),
        ResourceConflictError,
      );
    });

    it("refuses hostile names before they reach the store", async () => {
      for (const name of ["..", "%2e%2e", "a\u0000b", "x".repeat(4096), "a/b", "rg."]) {
        await assert.rejects(
          createResourceGroup(store.resources, {
            tenantId: tenant.id,
            subscriptionId: SUB,
            name,
            location: "local",
          }),
          InvalidResourceIdError,
          JSON.stringify(name.slice(0, 20)),
        );
      }
      const rows = await database.raw("select count(*) as n from resources where kind = 'resourceGroup'");
      assert.equal(Number(rows[0]?.n), 3);
    });

    it("stores extensions, heartbeats and finds machines by IP", async () => {
      const id = `/subscriptions/${SUB}/resourceGroups/LinuxVMs/providers/Compute/virtualMachines/myVM`;
      await putExtension(store.resources, id, {
        name: "SSHLoginForLinux",
        publisher: "hostpass",
        type: "SSHLoginForLinux",
        version: "1.0",
        provisioningState: "Succeeded",
        settings: { note: 'it\'s "quoted"; DROP TABLE x' },
      });
      const at = new Date("2026-05-01T10:00:00.123Z");
      await recordHeartbeat(store.resources, { id, status: "ready", at });
      const vm = await getMachine(store.resources, id);
      assert.equal(vm.extensions[0]?.provisioningState, "Succeeded");
      assert.equal(vm.extensions[0]?.settings.note, 'it\'s "quoted"; DROP TABLE x');
      assert.equal(vm.agentStatus, "ready");
      assert.equal(vm.lastHeartbeatAt?.getTime(), at.getTime());
      assert.deepEqual(
        (await findMachinesByIp(store.resources, "10.11.12.13")).map((m) => m.id),
        [id],
      );
      await assert.rejects(
        deleteResource(store.resources, `/subscriptions/${SUB}/resourceGroups/LinuxVMs`),
        ResourceConflictError,
      );
    });

    it("tracks scale-set models and instances that lag behind", async () => {
      const set = await createScaleSet(store.resources, {
        tenantId: tenant.id,
        subscriptionId: SUB,
        resourceGroup: "rg1",
        name: "web",
        image: "debian-12",
        adminUsername: "azureadmin",
      });
      const i0 = await addScaleSetInstance(store.resources, {
        scaleSetId: set.id,
        instanceId: "0",
        networkInterfaces: [{ privateIp: "10.0.0.4" }],
      });
      assert.equal(i0.latestModelApplied, true);
      await updateScaleSetModel(store.resources, set.id, { image: "debian-13" });
      assert.equal((await getMachine(store.resources, i0.id)).latestModelApplied, false);
      const upgraded = await upgradeScaleSetInstance(store.resources, i0.id);
      assert.equal(upgraded.latestModelApplied, true);
      assert.equal(upgraded.image, "debian-13");
      // The set's extensions are part of its model: a new or removed one (not a state change) lags instances.
      const ext = {
        name: "SSHLoginForLinux",
        publisher: "hostpass",
        type: "SSHLoginForLinux",
        version: "1.0",
        provisioningState: "Succeeded" as const,
      };
      await putExtension(store.resources, set.id, ext);
      assert.equal((await getMachine(store.resources, i0.id)).latestModelApplied, false);
      await upgradeScaleSetInstance(store.resources, i0.id);
      await putExtension(store.resources, set.id, { ...ext, provisioningState: "Updating" });
      assert.equal((await getMachine(store.resources, i0.id)).latestModelApplied, true);
      await removeExtension(store.resources, set.id, ext.name);
      assert.equal((await getMachine(store.resources, i0.id)).latestModelApplied, false);
      const chain = await resolveScopeChain(store.resources, i0.id);
      assert.deepEqual(
        chain.slice(-2).map((c) => c.kind),
        ["virtualMachineScaleSet", "virtualMachineScaleSetVm"],
      );
    });
  });
}
