import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidPolicyError } from "./errors.ts";
import { doc } from "./lib/policy-fixture.ts";
import { validateNamedLocation } from "./named-location.ts";
import { LINUX_VM_SIGN_IN_APP, SEED_LINUX_VM_SIGN_IN_APP } from "./types.ts";
import { frequencySeconds, validateConditionalAccessPolicy } from "./validate-policy.ts";

function refused(input: unknown, path: string, pattern?: RegExp, ids?: ReadonlySet<string>) {
  assert.throws(
    () => validateConditionalAccessPolicy(input, ids ? { namedLocationIds: ids } : {}),
    (e: unknown) => {
      assert.ok(e instanceof InvalidPolicyError, String(e));
      assert.equal(e.code, "ERR_POLICY_INVALID");
      assert.equal(e.kind, "invalid");
      assert.equal(e.path, path);
      if (pattern) assert.match(e.message, pattern);
      return true;
    },
  );
}

describe("validateConditionalAccessPolicy", () => {
  it("returns a frozen policy with defaults filled in", () => {
    const p = validateConditionalAccessPolicy(
      doc({
        id: "require-mfa",
        assignments: {
          users: { include: "All", exclude: ["AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA"] },
          applications: { include: [SEED_LINUX_VM_SIGN_IN_APP.toUpperCase()] },
        },
        sessionControls: { signInFrequency: { value: 10, unit: "minutes" } },
      }),
    );
    assert.equal(p.id, "require-mfa");
    assert.deepEqual(p.assignments.users.exclude, ["aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"]);
    assert.deepEqual(p.assignments.groups, { include: [], exclude: [] });
    assert.deepEqual(p.assignments.applications.include, [LINUX_VM_SIGN_IN_APP]);
    assert.deepEqual(p.conditions, {});
    assert.ok(Object.isFrozen(p) && Object.isFrozen(p.assignments.users));
    assert.equal(frequencySeconds(p.sessionControls?.signInFrequency ?? { value: 0, unit: "days" }), 600);
  });

  it("names the offending field", () => {
    refused(null, "", /object/);
    refused([], "", /object/);
    refused(doc({ extra: 1 }), "", /unknown field 'extra'/);
    refused(doc({ id: "" }), "id");
    refused(doc({ id: "All" }), "id", /reserved/);
    refused(doc({ id: "a b" }), "id");
    refused(doc({ name: " padded" }), "name", /whitespace/);
    refused(doc({ name: "bell\u0007" }), "name", /control/);
    refused(doc({ name: "x".repeat(257) }), "name");
    refused(doc({ state: "on" }), "state", /enabled, disabled, reportOnly/);
    refused(doc({ assignments: { applications: { include: "All" } } }), "assignments", /at least one/);
    refused(
      doc({ assignments: { users: { include: "All", exlude: [] }, applications: { include: "All" } } }),
      "assignments.users",
      /unknown field 'exlude'/,
    );
    refused(
      doc({ assignments: { users: { include: ["All"] }, applications: { include: "All" } } }),
      "assignments.users.include[0]",
      /reserved/,
    );
    refused(
      doc({ assignments: { groups: { include: "All" }, applications: { include: "All" } } }),
      "assignments.groups.include",
    );
    refused(doc({ assignments: { users: { include: "All" } } }), "assignments.applications");
    refused(
      doc({ assignments: { users: { include: "All" }, applications: { include: [] } } }),
      "assignments.applications.include",
      /empty/,
    );
    refused(
      doc({ assignments: { users: { include: Array(1001).fill("u") }, applications: { include: "All" } } }),
      "assignments.users.include",
      /at most 1000/,
    );
  });

  it("checks conditions", () => {
    refused(doc({ conditions: { locations: { include: [] } } }), "conditions.locations.include", /empty/);
    refused(doc({ conditions: { locations: { exclude: ["office"] } } }), "conditions.locations.include");
    refused(
      doc({ conditions: { locations: { include: "All", exclude: ["gone"] } } }),
      "conditions.locations.exclude[0]",
      /no named location 'gone'/,
      new Set(["office"]),
    );
    refused(doc({ conditions: { platforms: { include: ["macOS"] } } }), "conditions.platforms.include[0]");
    refused(doc({ conditions: { signInRiskLevels: [] } }), "conditions.signInRiskLevels", /empty/);
    refused(doc({ conditions: { signInRiskLevels: ["severe"] } }), "conditions.signInRiskLevels[0]");
    refused(doc({ conditions: { devices: { include: ["managed"] } } }), "conditions.devices.include[0]");
    refused(doc({ conditions: { clientApps: [] } }), "conditions", /unknown field/);
    const ok = validateConditionalAccessPolicy(
      doc({ conditions: { locations: { include: "All", exclude: ["AllTrusted", "office"] } } }),
      { namedLocationIds: new Set(["office"]) },
    );
    assert.deepEqual(ok.conditions.locations?.exclude, ["AllTrusted", "office"]);
  });

  it("checks grant and session controls", () => {
    refused(doc({ grantControls: { operator: "XOR", controls: ["mfa"] } }), "grantControls.operator");
    refused(doc({ grantControls: { operator: "AND", controls: [] } }), "grantControls.controls", /empty/);
    refused(
      doc({ grantControls: { operator: "AND", controls: ["domainJoined"] } }),
      "grantControls.controls[0]",
    );
    refused(
      doc({ grantControls: { operator: "OR", controls: ["block", "mfa"] } }),
      "grantControls.controls",
      /cannot be combined/,
    );
    refused(doc({ grantControls: undefined }), "", /grant controls or a session control/);
    refused(
      doc({ sessionControls: { signInFrequency: { value: 0, unit: "hours" } } }),
      "sessionControls.signInFrequency.value",
    );
    refused(
      doc({ sessionControls: { signInFrequency: { value: 1.5, unit: "hours" } } }),
      "sessionControls.signInFrequency.value",
    );
    refused(
      doc({ sessionControls: { signInFrequency: { value: "10", unit: "minutes" } } }),
      "sessionControls.signInFrequency.value",
    );
    refused(
      doc({ sessionControls: { signInFrequency: { value: 10, unit: "seconds" } } }),
      "sessionControls.signInFrequency.unit",
    );
    refused(
      doc({ sessionControls: { signInFrequency: { value: 366, unit: "days" } } }),
      "sessionControls.signInFrequency",
      /365 days/,
    );
    const sessionOnly = validateConditionalAccessPolicy(
      doc({ grantControls: undefined, sessionControls: { signInFrequency: { value: 1, unit: "hours" } } }),
    );
    assert.equal(sessionOnly.grantControls, undefined);
  });
});

describe("validateNamedLocation", () => {
  it("parses ranges once and returns them in canonical form", () => {
    const loc = validateNamedLocation({
      id: "office",
      name: "Office",
      trusted: true,
      cidrs: ["10.0.0.0/8", "2001:DB8:0:0::/32", "::ffff:192.168.0.0/112"],
    });
    assert.deepEqual(loc.cidrs, ["10.0.0.0/8", "2001:db8::/32", "192.168.0.0/16"]);
    assert.equal(loc.trusted, true);
    assert.equal(validateNamedLocation({ id: "x", name: "X", cidrs: ["::/0"] }).trusted, false);
  });

  it("refuses hostile CIDR strings with the index of the entry", () => {
    const bad = [
      "10.0.0.0/33",
      "::/129",
      "1.2.3",
      "1.2.3/24",
      "0x7f.1/32",
      " 10.0.0.0/8",
      "10.0.0.0/8\t",
      "10.0.0.1/8",
      7,
    ];
    for (const cidr of bad) {
      assert.throws(
        () => validateNamedLocation({ id: "l", name: "L", cidrs: ["192.0.2.0/24", cidr] }),
        (e: unknown) => e instanceof InvalidPolicyError && e.path === "cidrs[1]",
        String(cidr),
      );
    }
    assert.throws(() => validateNamedLocation({ id: "l", name: "L", cidrs: [] }), /cidrs: must not be empty/);
    assert.throws(
      () => validateNamedLocation({ id: "l", name: "L", cidrs: Array(2001).fill("10.0.0.0/8") }),
      /at most 2000/,
    );
    assert.throws(
      () => validateNamedLocation({ id: "l", name: "L", cidrs: ["10.0.0.0/8"], trusted: "yes" }),
      /trusted/,
    );
  });
});
