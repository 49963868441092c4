import assert from "node:assert/strict";
import { isIP } from "node:net";
import { describe, it } from "node:test";
import { formatCidr, formatIp, parseCidr, parseIp, rangeContains } from "./ip.ts";

const ip = (s: string) => {
  const a = parseIp(s);
  assert.ok(a, `expected ${s} to parse`);
  return a;
};
const range = (s: string) => {
  const r = parseCidr(s);
  assert.equal(typeof r, "object", `expected ${s} to parse, got ${String(r)}`);
  return r as Exclude<typeof r, string>;
};

describe("parseIp", () => {
  it("accepts canonical IPv4 and the IPv6 forms, including embedded IPv4", () => {
    for (const s of [
      "0.0.0.0",
      "255.255.255.255",
      "10.1.2.3",
      "::",
      "::1",
      "2001:db8::1",
      "2001:DB8:0:0:0:0:0:1",
      "1:2:3:4:5:6:7::",
      "::2:3:4:5:6:7:8",
      "1:2:3:4:5:6:1.2.3.4",
      "::ffff:10.0.0.1",
      "64:ff9b::192.0.2.1",
    ]) {
      assert.ok(parseIp(s), s);
      assert.notEqual(isIP(s), 0, `node:net agrees on ${s}`);
    }
  });

  it("refuses lenient and hostile forms that inet_aton or URL parsers would take", () => {
    for (const s of [
      "",
      "1.2.3",
      "0x7f.1",
      "0x7f.0.0.1",
      "127.1",
      "010.0.0.1",
      "1.2.3.4.5",
      "256.0.0.1",
      " 10.0.0.1",
      "10.0.0.1 ",
      "10.0.0.1\n",
      "10.0.0.1/32",
      "1.2.3.-4",
      "+1.2.3.4",
      "1e1.0.0.1",
      "１.2.3.4",
      ":::",
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "1:2:3:4:5:6:7:8::",
      "12345::",
      "g::1",
      "fe80::1%eth0",
      "[::1]",
      "::1.2.3",
      "::1.2.3.4:5",
      ":1.2.3.4",
      "1:2:3:4:5:6:7:1.2.3.4",
      "::ffff:010.0.0.1",
    ]) {
      assert.equal(parseIp(s), undefined, JSON.stringify(s));
    }
  });

  it("agrees with node:net on a sweep of generated strings", () => {
    const parts = ["0", "1", "00", "255", "256", "ffff", "fffff", "", "1.2.3.4", "a"];
    for (const a of parts) {
      for (const b of parts) {
        for (const sep of [".", ":", "::"]) {
          const s = `${a}${sep}${b}`;
          // node:net accepts some forms we also accept; we must never accept what it refuses
          if (parseIp(s)) assert.notEqual(isIP(s), 0, s);
        }
      }
    }
  });

  it("treats IPv4-mapped IPv6 as IPv4, and only that embedding", () => {
    assert.deepEqual(ip("::ffff:10.0.0.1"), ip("10.0.0.1"));
    assert.deepEqual(ip("::FFFF:a00:1"), ip("10.0.0.1"));
    assert.equal(ip("::10.0.0.1").family, 6); // IPv4-compatible (deprecated) stays IPv6
    assert.equal(ip("64:ff9b::10.0.0.1").family, 6); // NAT64 stays IPv6
  });

  it("formats per RFC 5952", () => {
    assert.equal(formatIp(ip("2001:DB8:0:0:1:0:0:1")), "2001:db8::1:0:0:1");
    assert.equal(formatIp(ip("2001:db8:0:1:1:1:1:1")), "2001:db8:0:1:1:1:1:1");
    assert.equal(formatIp(ip("::")), "::");
    assert.equal(formatIp(ip("1::")), "1::");
    assert.equal(formatIp(ip("10.0.0.1")), "10.0.0.1");
  });
});

describe("parseCidr", () => {
  it("refuses bad prefixes, bad addresses and host bits", () => {
    const cases: Record<string, string> = {
      "10.0.0.0/33": "prefix",
      "::/129": "prefix",
      "10.0.0.0/08": "prefix",
      "10.0.0.0/-1": "prefix",
      "10.0.0.0/ 8": "prefix",
      "10.0.0.0/8 ": "prefix",
      "10.0.0.0/": "prefix",
      "10.0.0.0/1e1": "prefix",
      "1.2.3/24": "address",
      "0x7f.1/32": "address",
      " 10.0.0.0/8": "address",
      "/8": "address",
      "10.0.0.0": "syntax",
      "10.0.0.0/8/8": "syntax",
      "10.0.0.1/8": "hostBits",
      "2001:db8::1/32": "hostBits",
    };
    for (const [s, problem] of Object.entries(cases)) assert.equal(parseCidr(s), problem, s);
  });

  it("matches IPv4, IPv6 and mapped addresses by family", () => {
    const v4 = range("10.0.0.0/8");
    assert.equal(rangeContains(v4, ip("10.255.1.2")), true);
    assert.equal(rangeContains(v4, ip("11.0.0.0")), false);
    assert.equal(rangeContains(v4, ip("::ffff:10.1.2.3")), true);
    const v6 = range("2001:db8::/32");
    assert.equal(rangeContains(v6, ip("2001:db8:ffff::1")), true);
    assert.equal(rangeContains(v6, ip("2001:db9::1")), false);
    assert.equal(rangeContains(v6, ip("10.0.0.1")), false);
    // ::/0 is IPv6 only; a mapped range is the IPv4 range it denotes
    assert.equal(rangeContains(range("::/0"), ip("10.0.0.1")), false);
    assert.equal(rangeContains(range("0.0.0.0/0"), ip("::ffff:1.2.3.4")), true);
    const mapped = range("::ffff:192.168.0.0/112");
    assert.deepEqual(mapped, range("192.168.0.0/16"));
    assert.equal(formatCidr(mapped), "192.168.0.0/16");
    assert.equal(rangeContains(range("203.0.113.7/32"), ip("203.0.113.7")), true);
    assert.equal(rangeContains(range("::1/128"), ip("::1")), true);
  });
});
