import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidResourceIdError } from "./errors.ts";
import { isSameOrSyntacticAncestor, parseResourceId, syntacticChain } from "./resource-id.ts";

const SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const RG = `/subscriptions/${SUB}/resourceGroups/rg1`;

describe("parseResourceId", () => {
  it("parses every kind, fixes keyword spelling and keeps name case", () => {
    const kinds = [
      ["/providers/Management/managementGroups/Root(1)", "managementGroup"],
      [`/subscriptions/${SUB.toUpperCase()}`, "subscription"],
      [`/Subscriptions/${SUB}/RESOURCEGROUPS/My.Group_(x)-1`, "resourceGroup"],
      [`${RG}/providers/Microsoft.Compute/virtualMachines/Web_01`, "virtualMachine"],
      [`${RG}/providers/compute/VirtualMachineScaleSets/set`, "virtualMachineScaleSet"],
      [`${RG}/providers/Compute/virtualMachineScaleSets/set/virtualMachines/12`, "virtualMachineScaleSetVm"],
    ] as const;
    for (const [id, kind] of kinds) assert.equal(parseResourceId(id).kind, kind, id);
    const rg = parseResourceId(`/Subscriptions/${SUB.toUpperCase()}/RESOURCEGROUPS/My.Group_(x)-1`);
    assert.equal(rg.id, `/subscriptions/${SUB}/resourceGroups/My.Group_(x)-1`);
    assert.equal(rg.key, rg.id.toLowerCase());
    const vm = parseResourceId(`${RG}/providers/Microsoft.Compute/virtualMachines/Web_01`);
    assert.equal(vm.id, `${RG}/providers/Compute/virtualMachines/Web_01`);
    assert.equal(vm.parent?.id, RG);
  });

  it("refuses traversal, encoding, control characters, oversized and malformed ids", () => {
    const hostile = [
      "",
      "subscriptions/x",
      `${RG}/`,
      `/subscriptions/${SUB}//resourceGroups/rg1`,
      `/subscriptions/${SUB}/resourceGroups/..`,
      `/subscriptions/${SUB}/resourceGroups/../resourceGroups/rg1`,
      `/subscriptions/${SUB}/resourceGroups/.`,
      `/subscriptions/${SUB}/resourceGroups/%2e%2e`,
      `/subscriptions/${SUB}/resourceGroups/rg1%2fproviders`,
      `/subscriptions/${SUB}/resourceGroups/rg\u0000`,
      `/subscriptions/${SUB}/resourceGroups/rg\n1`,
      `/subscriptions/${SUB}/resourceGroups/r g`,
      `/subscriptions/${SUB}/resourceGroups/r\\g`,
      `/subscriptions/${SUB}/resourceGroups/rg\u00e9`,
      `/subscriptions/${SUB}/resourceGroups/${"a".repeat(4096)}`,
      `/subscriptions/${SUB}/resourceGroups/${"a".repeat(91)}`,
      `/subscriptions/${SUB}/resourceGroups/ends.`,
      "/subscriptions/not-a-uuid",
      `/subscriptions/${SUB}/resourceGroups/rg1/providers/Compute/virtualMachines/-vm`,
      `/subscriptions/${SUB}/resourceGroups/rg1/providers/Compute/virtualMachines/${"v".repeat(65)}`,
      `/subscriptions/${SUB}/resourceGroups/rg1/providers/Compute/virtualMachines/vm/virtualMachines/1`,
      `/subscriptions/${SUB}/resourceGroups/rg1/providers/Compute/virtualMachineScaleSets/s/virtualMachines/01`,
      `/subscriptions/${SUB}/resourceGroups/rg1/providers/Storage/storageAccounts/x`,
      "/providers/Management/managementGroups/a/b",
    ];
    for (const id of hostile)
      assert.throws(() => parseResourceId(id), InvalidResourceIdError, JSON.stringify(id.slice(0, 120)));
  });

  it("never echoes a 4 KB name back in the error", () => {
    const error = (() => {
      try {
        parseResourceId(`/subscriptions/${SUB}/resourceGroups/${"a".repeat(4096)}`);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    assert.ok(error && error.message.length < 200);
  });
});

describe("scope ancestry", () => {
  it("compares whole segments: rg1 is not an ancestor of rg10", () => {
    const rg1 = parseResourceId(RG);
    const inRg10 = parseResourceId(
      `/subscriptions/${SUB}/resourceGroups/rg10/providers/Compute/virtualMachines/vm`,
    );
    const inRg1 = parseResourceId(
      `${RG.toUpperCase().replace(SUB.toUpperCase(), SUB)}/providers/Compute/virtualMachines/vm`,
    );
    assert.equal(isSameOrSyntacticAncestor(rg1, inRg10), false);
    assert.equal(isSameOrSyntacticAncestor(rg1, inRg1), true);
    assert.equal(isSameOrSyntacticAncestor(inRg1, rg1), false);
    assert.deepEqual(
      syntacticChain(
        parseResourceId(`${RG}/providers/Compute/virtualMachineScaleSets/s/virtualMachines/3`),
      ).map((c) => c.kind),
      ["subscription", "resourceGroup", "virtualMachineScaleSet", "virtualMachineScaleSetVm"],
    );
  });
});
