import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  candidateSubnets,
  formatPrefix,
  GATEWAY_ADDRESS,
  machineAddresses,
  parseIpv4,
  parseIpv4Prefix,
  pickFreeSubnet,
  prefixesOverlap,
} from "./subnet.ts";

const prefix = (text: string) => {
  const parsed = parseIpv4Prefix(text);
  assert.ok(parsed, text);
  return parsed;
};

describe("local subnets", () => {
  it("parses strict dotted quads and prefixes only", () => {
    assert.equal(parseIpv4("10.213.4.1"), 0x0ad50401);
    for (const bad of ["10.213.4", "010.1.1.1", "10.1.1.256", " 10.1.1.1", "10.1.1.1/24", "::1"]) {
      assert.equal(parseIpv4(bad), undefined, bad);
    }
    assert.equal(formatPrefix(prefix("10.213.4.77/24")), "10.213.4.0/24", "host bits cleared");
    assert.equal(parseIpv4Prefix("10.0.0.0/33"), undefined);
    assert.equal(parseIpv4Prefix("10.0.0.0/24/1"), undefined);
  });

  it("finds overlaps in both directions", () => {
    assert.ok(prefixesOverlap(prefix("10.0.0.0/8"), prefix("10.213.7.0/24")));
    assert.ok(prefixesOverlap(prefix("10.213.7.9"), prefix("10.213.7.0/24")));
    assert.ok(!prefixesOverlap(prefix("10.213.6.0/24"), prefix("10.213.7.0/24")));
  });

  it("picks the first /24 of 10.213.0.0/16 that nothing on the host uses, ignoring the default route", () => {
    assert.equal(candidateSubnets().length, 255, "10.213.255.0/24 is the gateway's");
    assert.equal(formatPrefix(candidateSubnets().at(-1) ?? prefix("0.0.0.0/0")), "10.213.254.0/24");
    const used = [prefix("0.0.0.0/0"), prefix("10.213.0.0/24"), prefix("10.213.1.5"), prefix("192.0.2.0/24")];
    assert.equal(formatPrefix(pickFreeSubnet(used) ?? prefix("0.0.0.0/0")), "10.213.2.0/24");
    assert.equal(
      formatPrefix(pickFreeSubnet(used, prefix("10.213.9.0/24")) ?? prefix("0.0.0.0/0")),
      "10.213.9.0/24",
    );
    assert.equal(
      formatPrefix(pickFreeSubnet(used, prefix("10.213.1.0/24")) ?? prefix("0.0.0.0/0")),
      "10.213.2.0/24",
    );
    assert.equal(
      pickFreeSubnet([prefix("10.0.0.0/8")]),
      undefined,
      "a host route over the whole range leaves nothing",
    );
  });

  it("gives .1 to .254 to machines (the host's gateway is outside every network)", () => {
    const subnet = prefix("10.213.5.0/24");
    assert.ok(!prefixesOverlap(prefix(GATEWAY_ADDRESS), subnet));
    const addresses = machineAddresses(subnet);
    assert.equal(addresses.length, 254);
    assert.equal(addresses[0], "10.213.5.1");
    assert.equal(addresses.at(-1), "10.213.5.254");
  });
});
