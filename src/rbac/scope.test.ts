import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { normalizeOperation, PermissionMatcher } from "./lib/permission-matcher.ts";
import { isWithinScope, parseScope } from "./scope.ts";

describe("parseScope", () => {
  it("builds the ancestor chain of a nested resource", () => {
    const p = parseScope(
      "/subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/virtualMachineScaleSets/SS/virtualMachines/0",
    );
    assert.equal(p.level, "resource");
    assert.equal(p.top, "/subscriptions/S");
    assert.deepEqual(p.chain, [
      "/subscriptions/s/resourcegroups/rg/providers/compute/virtualmachinescalesets/ss/virtualmachines/0",
      "/subscriptions/s/resourcegroups/rg/providers/compute/virtualmachinescalesets/ss",
      "/subscriptions/s/resourcegroups/rg",
      "/subscriptions/s",
    ]);
    assert.equal(
      parseScope("/providers/Microsoft.Management/managementGroups/X").key,
      "/providers/management/managementgroups/x",
    );
    assert.equal(parseScope("/").level, "root");
  });

  it("is segment-aware", () => {
    assert.equal(
      isWithinScope("/subscriptions/s/resourceGroups/rg10", "/subscriptions/s/resourceGroups/rg1"),
      false,
    );
    assert.equal(
      isWithinScope("/subscriptions/s/resourceGroups/RG1", "/subscriptions/S/resourcegroups/rg1"),
      true,
    );
    assert.equal(isWithinScope("/subscriptions/s/resourceGroups/rg1", "/"), true);
  });
});

describe("PermissionMatcher", () => {
  const m = new PermissionMatcher({
    actions: ["*/read", "Compute/virtualMachines/*/action"],
    notActions: ["Compute/virtualMachines/start/action"],
    dataActions: [],
    notDataActions: [],
  });
  const grants = (op: string, data = false) => m.grants(normalizeOperation(op), data);

  it("matches wildcards case-insensitively, with or without the Microsoft. prefix", () => {
    assert.equal(grants("Network/networkInterfaces/read"), true);
    assert.equal(grants("Microsoft.Compute/virtualMachines/READ"), true);
    assert.equal(grants("Compute/virtualMachines/restart/action"), true);
    assert.equal(grants("Compute/virtualMachines/start/action"), false);
    assert.equal(grants("Compute/virtualMachines/write"), false);
    assert.equal(grants("Compute/virtualMachines/read", true), false);
  });

  it("treats regex metacharacters literally", () => {
    const x = new PermissionMatcher({
      actions: ["a.b/*"],
      notActions: [],
      dataActions: [],
      notDataActions: [],
    });
    assert.equal(x.grants("a.b/c", false), true);
    assert.equal(x.grants("axb/c", false), false);
  });
});

describe("scope keys fold ASCII case only", () => {
  it("matches ASCII case variants", () => {
    assert.equal(
      parseScope("/subscriptions/S/resourceGroups/RG").key,
      parseScope("/subscriptions/s/resourcegroups/rg").key,
    );
  });
  it("never takes the Kelvin sign for k, nor other non-ASCII letters for ASCII", () => {
    const kelvin = parseScope("/subscriptions/s/resourceGroups/rg\u212a");
    assert.notEqual(kelvin.key, parseScope("/subscriptions/s/resourceGroups/rgk").key);
    assert.notEqual(kelvin.key, parseScope("/subscriptions/s/resourceGroups/rgK").key);
    assert.equal(
      isWithinScope("/subscriptions/s/resourceGroups/rg\u212a", "/subscriptions/s/resourceGroups/rgk"),
      false,
    );
  });
});
