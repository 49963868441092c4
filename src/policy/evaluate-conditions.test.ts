import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluateConditionalAccess } from "./evaluate-conditional-access.ts";
import { COMPLIANT_LINUX, ctx, policy } from "./lib/policy-fixture.ts";
import { validateNamedLocation } from "./named-location.ts";
import type { ConditionalAccessPolicy, NamedLocation, SignInContext } from "./types.ts";

const office = validateNamedLocation({
  id: "office",
  name: "Office",
  trusted: true,
  cidrs: ["198.51.100.0/24", "2001:db8:10::/48"],
});
const lab = validateNamedLocation({
  id: "lab",
  name: "Lab",
  cidrs: ["10.20.0.0/16", "::ffff:172.16.0.0/108"],
});
const embargo = validateNamedLocation({ id: "embargo", name: "Embargoed", cidrs: ["192.0.2.0/24"] });
const LOCATIONS: readonly NamedLocation[] = [office, lab, embargo];

const block = { grantControls: { operator: "AND", controls: ["block"] } };
const decide = (p: ConditionalAccessPolicy, c: SignInContext, locations = LOCATIONS) =>
  evaluateConditionalAccess([p], c, locations);

describe("conditions: named locations", () => {
  const outsideTrusted = policy({ conditions: { locations: { include: "All", exclude: ["AllTrusted"] } } });
  const fromEmbargo = policy({ ...block, conditions: { locations: { include: ["embargo"] } } });

  it("require MFA outside trusted locations: IPv4, IPv6 and mapped addresses", () => {
    for (const ip of ["198.51.100.9", "::ffff:198.51.100.9", "::FFFF:c633:6409", "2001:db8:10:ffff::1"]) {
      assert.equal(decide(outsideTrusted, ctx({ ip })).decision, "grant", ip);
      assert.equal(decide(outsideTrusted, ctx({ ip })).evaluated[0]?.reason, "location excluded", ip);
    }
    for (const ip of [
      "198.51.101.9",
      "2001:db8:11::1",
      "10.20.1.1",
      "::198.51.100.9",
      "64:ff9b::198.51.100.9",
    ]) {
      assert.equal(decide(outsideTrusted, ctx({ ip })).decision, "challenge", ip);
    }
  });

  it("blocks from an included location only", () => {
    assert.equal(decide(fromEmbargo, ctx({ ip: "192.0.2.200" })).decision, "block");
    assert.equal(decide(fromEmbargo, ctx({ ip: "::ffff:192.0.2.200" })).decision, "block");
    const r = decide(fromEmbargo, ctx({ ip: "192.0.3.1" }));
    assert.equal(r.decision, "grant");
    assert.equal(r.evaluated[0]?.reason, "location not included");
  });

  it("matches a mapped range written in IPv6 against IPv4 clients", () => {
    const p = policy({ ...block, conditions: { locations: { include: ["lab"] } } });
    assert.equal(decide(p, ctx({ ip: "172.16.5.5" })).decision, "block");
    assert.equal(decide(p, ctx({ ip: "172.32.0.1" })).decision, "grant");
  });

  it("an excluded location wins over an included one", () => {
    const p = policy({
      ...block,
      conditions: { locations: { include: ["lab", "office"], exclude: ["office"] } },
    });
    assert.equal(decide(p, ctx({ ip: "198.51.100.1" })).decision, "grant");
    assert.equal(decide(p, ctx({ ip: "10.20.0.1" })).decision, "block");
    const trusted = policy({ ...block, conditions: { locations: { include: ["AllTrusted"] } } });
    assert.equal(decide(trusted, ctx({ ip: "198.51.100.1" })).decision, "block");
    assert.equal(decide(trusted, ctx({ ip: "10.20.0.1" })).decision, "grant");
  });

  it("a dangling location reference keeps the policy in scope", () => {
    const inc = policy({ ...block, conditions: { locations: { include: ["deleted"] } } });
    assert.equal(decide(inc, ctx()).decision, "block");
    const exc = policy({ ...block, conditions: { locations: { include: "All", exclude: ["deleted"] } } });
    assert.equal(decide(exc, ctx()).decision, "block");
  });
});

describe("conditions: platform, risk, device state", () => {
  it("platform include and exclude; a registered device's platform beats the client's claim", () => {
    const p = policy({ ...block, conditions: { platforms: { include: "All", exclude: ["linux"] } } });
    assert.equal(decide(p, ctx({ platform: "linux" })).decision, "grant");
    assert.equal(decide(p, ctx({ platform: "windows" })).decision, "block");
    const macOnly = policy({ ...block, conditions: { platforms: { include: ["macos"] } } });
    assert.equal(decide(macOnly, ctx({ platform: "other" })).evaluated[0]?.reason, "platform not included");
    const device = { ...COMPLIANT_LINUX, platform: "macos" as const };
    assert.equal(decide(macOnly, ctx({ platform: "linux", device })).decision, "block");
    // an unproven device record's platform is not trusted
    assert.equal(
      decide(macOnly, ctx({ platform: "linux", device: { ...device, registered: false } })).decision,
      "grant",
    );
  });

  it("sign-in risk levels", () => {
    const p = policy({ conditions: { signInRiskLevels: ["medium", "high"] } });
    assert.equal(decide(p, ctx({ risk: "low" })).evaluated[0]?.reason, "sign-in risk 'low' not included");
    assert.deepEqual(decide(p, ctx({ risk: "medium" })).missing, ["mfa"]);
    const high = policy({ ...block, conditions: { signInRiskLevels: ["high"] } });
    assert.equal(decide(high, ctx({ risk: "high" })).decision, "block");
  });

  it("device state: block unregistered devices, exclude compliant ones", () => {
    const unreg = policy({ ...block, conditions: { devices: { include: ["unregistered"] } } });
    assert.equal(decide(unreg, ctx()).decision, "block");
    assert.equal(decide(unreg, ctx({ device: { ...COMPLIANT_LINUX, compliant: false } })).decision, "grant");
    const exceptCompliant = policy({ conditions: { devices: { include: "All", exclude: ["compliant"] } } });
    assert.equal(
      decide(exceptCompliant, ctx({ device: COMPLIANT_LINUX })).evaluated[0]?.reason,
      "device state excluded",
    );
    assert.deepEqual(
      decide(exceptCompliant, ctx({ device: { ...COMPLIANT_LINUX, compliant: false } })).missing,
      ["mfa"],
    );
  });
});
