import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type StoreServer, startStoreServer } from "./store-server.ts";

describe("resource tree and machine routes on the real store", () => {
  let s: StoreServer;
  let sub: string;
  let rg: string;
  before(async () => {
    s = await startStoreServer();
    sub = `/subscriptions/${s.boot.subscriptionId}`;
    rg = `${sub}/resourceGroups/LinuxVMs`;
  });
  after(() => s.close());

  const call = (
    method: "GET" | "PUT" | "POST" | "DELETE" | "PATCH",
    url: string,
    payload?: object,
    headers = s.admin,
  ) => s.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
  const vmBody = {
    image: "debian-12",
    adminUsername: "localadmin",
    networkInterfaces: [{ name: "nic0", privateIp: "10.11.12.13" }],
  };

  it("creates, shows and lists a resource group", async () => {
    const created = await call("PUT", rg, { location: "local" });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().id, rg);
    assert.equal((await call("GET", rg)).json().location, "local");
    const list = (await call("GET", `${sub}/resourceGroups`)).json();
    assert.deepEqual(
      list.value.map((r: { name: string }) => r.name),
      ["LinuxVMs"],
    );
    assert.equal((await call("PUT", rg, { location: "local" })).statusCode, 409);
  });

  it("keeps the admin account's SSH key (normalised, comment dropped) and refuses anything else", async () => {
    const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
    const vm = `${rg}/providers/Compute/virtualMachines/keyed`;
    const created = await call("PUT", vm, { ...vmBody, adminSshPublicKey: `${key} alice@laptop` });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal((await call("GET", vm)).json().adminSshPublicKey, key);
    for (const bad of ["ssh-ed25519 AAAA", `${key}\nssh-ed25519 AAAA`, "not a key", `${key}\u0000`]) {
      const refused = await call("PUT", `${rg}/providers/Compute/virtualMachines/bad`, {
        ...vmBody,
        adminSshPublicKey: bad,
      });
      assert.equal(refused.statusCode, 400, bad);
      assert.equal(refused.json().error.code, "ERR_RESOURCE_INVALID_INPUT", bad);
    }
    assert.equal((await call("GET", `${rg}/providers/Compute/virtualMachines/bad`)).statusCode, 404);
    assert.equal((await call("DELETE", vm)).statusCode, 204);
  });

  it("follows the seed: extension set needs a managed identity (409, exit 22), then succeeds", async () => {
    const vm = `${rg}/providers/Compute/virtualMachines/myVM`;
    const created = await call("PUT", vm, vmBody);
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().identity, undefined);
    assert.equal(created.json().privateIps, "10.11.12.13");
    const ext = { publisher: "Microsoft.Azure.ActiveDirectory", type: "AADSSHLoginForLinux" };
    const refused = await call("PUT", `${vm}/extensions/AADSSHLoginForLinux`, ext);
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().error.code, "ERR_EXTENSION_NO_MANAGED_IDENTITY");
    const identity = await call("POST", `${vm}/identity`);
    assert.equal(identity.statusCode, 200, identity.body);
    assert.equal(identity.json().type, "SystemAssigned");
    const set = await call("PUT", `${vm}/extensions/AADSSHLoginForLinux`, ext);
    assert.equal(set.statusCode, 200, set.body);
    assert.equal(set.json().provisioningState, "Succeeded");
    const shown = (await call("GET", vm)).json();
    assert.equal(shown.identity.principalId, identity.json().principalId);
    assert.deepEqual(
      shown.extensions.map((e: { name: string }) => e.name),
      ["AADSSHLoginForLinux"],
    );
    assert.equal((await call("GET", `${vm}/extensions`)).json().value.length, 1);
  });

  it("refuses the login extension next to the legacy one (409, exit 23)", async () => {
    const vm = `${rg}/providers/Compute/virtualMachines/oldVM`;
    assert.equal((await call("PUT", vm, { ...vmBody, assignIdentity: true })).statusCode, 201);
    const legacy = { publisher: "Microsoft.Azure.ActiveDirectory.LinuxSSH", type: "AADLoginForLinux" };
    assert.equal((await call("PUT", `${vm}/extensions/AADLoginForLinux`, legacy)).statusCode, 200);
    const refused = await call("PUT", `${vm}/extensions/SSHLoginForLinux`, {
      publisher: "hostpass",
      type: "SSHLoginForLinux",
    });
    assert.equal(refused.json().error.code, "ERR_EXTENSION_LEGACY_INSTALLED");
    assert.equal((await call("DELETE", `${vm}/extensions/AADLoginForLinux`)).statusCode, 204);
    assert.equal(
      (
        await call("PUT", `${vm}/extensions/SSHLoginForLinux`, {
          publisher: "hostpass",
          type: "SSHLoginForLinux",
        })
      ).statusCode,
      200,
    );
  });

  it("refuses an extension type it does not know (400 ERR_EXTENSION_UNKNOWN, naming the known ones)", async () => {
    const vm = `${rg}/providers/Compute/virtualMachines/typoVM`;
    assert.equal((await call("PUT", vm, { ...vmBody, assignIdentity: true })).statusCode, 201);
    for (const type of ["AADSSHLogin", "CustomScript", "SSHLoginForLinuxx"]) {
      const refused = await call("PUT", `${vm}/extensions/${type}`, {
        publisher: "Microsoft.Azure.ActiveDirectory",
        type,
      });
      assert.equal(refused.statusCode, 400, type);
      assert.equal(refused.json().error.code, "ERR_EXTENSION_UNKNOWN", type);
      assert.match(refused.json().error.message, /SSHLoginForLinux, AADSSHLoginForLinux, AADLoginForLinux/);
    }
    assert.deepEqual((await call("GET", vm)).json().extensions, [], "nothing was recorded");
    const known = await call("PUT", `${vm}/extensions/ssh`, {
      publisher: "hostpass",
      type: "sshloginforlinux",
    });
    assert.equal(known.statusCode, 200, "types are case-insensitive, as Azure's are");
  });

  it("refuses an image that names Windows (400 ERR_RESOURCE_IMAGE_NOT_LINUX)", async () => {
    for (const image of ["windows-11", "Win2022Datacenter", "MicrosoftWindowsServer:WindowsServer:2022"]) {
      const refused = await call("PUT", `${rg}/providers/Compute/virtualMachines/winVM`, {
        ...vmBody,
        image,
      });
      assert.equal(refused.statusCode, 400, image);
      assert.equal(refused.json().error.code, "ERR_RESOURCE_IMAGE_NOT_LINUX", image);
      assert.match(refused.json().error.message, /not a Linux image/);
    }
    assert.equal((await call("GET", `${rg}/providers/Compute/virtualMachines/winVM`)).statusCode, 404);
  });

  it("assigns a login role by UPN at the VM: login yes, admin login and delete no", async () => {
    const user = (
      await call("POST", "/directory/users", { userPrincipalName: "dev@contoso.example", displayName: "Dev" })
    ).json();
    const vm = `${rg}/providers/Compute/virtualMachines/myVM`;
    const put = await call("PUT", `${vm}/providers/Authorization/roleAssignments/${randomUUID()}`, {
      role: "Virtual Machine User Login",
      assignee: "dev@contoso.example",
    });
    assert.equal(put.statusCode, 201, put.body);
    const check = await call(
      "POST",
      `${vm}/providers/Authorization/checkAccess`,
      { action: "Compute/virtualMachines/login/action" },
      await s.as(user.id),
    );
    assert.equal(check.json().allowed, true, check.body);
    const admin = await call(
      "POST",
      `${vm}/providers/Authorization/checkAccess`,
      { action: "Compute/virtualMachines/loginAsAdmin/action" },
      await s.as(user.id),
    );
    assert.equal(admin.json().allowed, false);
    // The login roles carry the VM read action (to find the VM), nothing more.
    assert.equal((await call("GET", vm, undefined, await s.as(user.id))).statusCode, 200);
    assert.equal((await call("DELETE", vm, undefined, await s.as(user.id))).statusCode, 403);
  });

  it("inherits from a management group: Reader there can read a resource group below", async () => {
    const mg = "/providers/Management/managementGroups/Engineering";
    assert.equal((await call("PUT", mg, { displayName: "Engineering" })).statusCode, 201);
    const subId = randomUUID();
    const newSub = await call("PUT", `/subscriptions/${subId}`, {
      displayName: "Eng",
      managementGroupId: mg,
    });
    assert.equal(newSub.statusCode, 201, newSub.body);
    const rg2 = `/subscriptions/${subId}/resourceGroups/rg1`;
    assert.equal((await call("PUT", rg2, { location: "local" })).statusCode, 201);
    const reader = (
      await call("POST", "/directory/users", {
        userPrincipalName: "auditor@contoso.example",
        displayName: "A",
      })
    ).json();
    const headers = await s.as(reader.id);
    assert.equal((await call("GET", rg2, undefined, headers)).statusCode, 403);
    assert.equal(
      (
        await call("PUT", `${mg}/providers/Authorization/roleAssignments/${randomUUID()}`, {
          role: "Reader",
          assignee: reader.id,
        })
      ).statusCode,
      201,
    );
    assert.equal((await call("GET", rg2, undefined, headers)).statusCode, 200);
    assert.equal(
      (await call("GET", `${rg}`, undefined, headers)).statusCode,
      403,
      "the default subscription is not under Engineering",
    );
    const subs = (await call("GET", "/subscriptions", undefined, headers)).json();
    assert.deepEqual(
      subs.value.map((x: { name: string }) => x.name),
      [subId],
    );
  });

  it("creates a scale set with identity and lists its (no) instances", async () => {
    const vmss = `${rg}/providers/Compute/virtualMachineScaleSets/web`;
    const created = await call("PUT", vmss, {
      image: "debian-12",
      adminUsername: "localadmin",
      assignIdentity: true,
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().type, "Compute/virtualMachineScaleSets");
    assert.ok(created.json().identity.principalId);
    assert.deepEqual((await call("GET", `${vmss}/virtualMachines`)).json().value, []);
    assert.equal(
      (await call("GET", `${rg}/providers/Compute/virtualMachineScaleSets`)).json().value.length,
      1,
    );
  });

  it("reports an instance on an old model and upgrades it", async () => {
    const vmss = `${rg}/providers/Compute/virtualMachineScaleSets/web`;
    const added = await call("PUT", `${vmss}/virtualMachines/0`, {
      networkInterfaces: [{ name: "nic0", privateIp: "10.0.0.5" }],
    });
    assert.equal(added.statusCode, 201, added.body);
    assert.equal(added.json().latestModelApplied, true);
    assert.equal((await call("PATCH", vmss, { image: "debian-13" })).json().modelVersion, 2);
    const stale = (await call("GET", `${vmss}/virtualMachines/0`)).json();
    assert.equal(stale.latestModelApplied, false);
    assert.equal(stale.privateIps, "10.0.0.5");
    const upgraded = await call("POST", `${vmss}/virtualMachines/0/upgrade`);
    assert.equal(upgraded.statusCode, 200, upgraded.body);
    assert.equal(upgraded.json().latestModelApplied, true);
    assert.equal(upgraded.json().image, "debian-13");
    assert.equal((await call("GET", `${vmss}/virtualMachines/01`)).statusCode, 400);
  });

  it("deletes a VM with its identity, and a non-empty group is refused", async () => {
    const vm = `${rg}/providers/Compute/virtualMachines/oldVM`;
    assert.equal((await call("DELETE", rg)).statusCode, 409);
    assert.equal((await call("DELETE", vm)).statusCode, 204);
    assert.equal((await call("GET", vm)).statusCode, 404);
  });

  it("queries the activity log with filters and paging", async () => {
    const url = `/providers/Insights/eventtypes/management/values?action=Compute/virtualMachines/write&top=2`;
    const first = await call("GET", url);
    assert.equal(first.statusCode, 200, first.body);
    const page = first.json();
    assert.equal(page.value.length, 2);
    assert.ok(page.value.every((e: { action: string }) => e.action === "Compute/virtualMachines/write"));
    assert.ok(page.nextLink);
    const next = await call("GET", page.nextLink);
    assert.equal(next.statusCode, 200);
    assert.ok(next.json().value[0].seq < page.value[1].seq, "newest first, no overlap");
  });
});
