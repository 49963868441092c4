import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loginLogParser } from "./sshd-log.ts";

const at = 1_700_000_000_000;
const CA = "CA ED25519 SHA256:h155rn1z+qb0HwZ91tNvFuaVR+B1CTGcBHT8VCNmEB0";
const KEY_ID = "0b7ec7a0-0000-4000-8000-000000000001@7a1c0de0-0000-4000-8000-000000000001";
const CERT = `ED25519-CERT SHA256:SQgBQFG2baoHnBbhVbmChRzkgurLfmFDYRyMSZq9l9Q ID ${KEY_ID} (serial 42) ${CA}`;
const levels = (name: string) => (name === "alice@contoso.com" ? ("admin" as const) : undefined);

function feed(lines: string[], pid?: number) {
  const parser = loginLogParser(levels);
  const out = lines.flatMap((message, i) => parser.push({ message, at: at + i, ...(pid ? { pid } : {}) }));
  return { out, parser };
}

describe("sshd log lines → login reports (lines as Debian 12's sshd logs them)", () => {
  it("a certificate login: success with key id, serial, address and level", () => {
    const { out } = feed([
      'Connection from 10.1.2.3 port 58606 on 10.1.2.4 port 22 rdomain ""',
      `Accepted certificate ID "${KEY_ID}" (serial 42) signed by ED25519 CA SHA256:h15 via /etc/ssh/hostpass/trusted_user_ca_keys`,
      "Postponed publickey for alice@contoso.com from 10.1.2.3 port 58606 ssh2 [preauth]",
      `Accepted publickey for alice@contoso.com from 10.1.2.3 port 58606 ssh2: ${CERT}`,
      "Disconnected from user alice@contoso.com 10.1.2.3 port 58606",
    ]);
    assert.deepEqual(out, [
      {
        type: "login",
        at: at + 3,
        linuxName: "alice@contoso.com",
        result: "success",
        sourceAddress: "10.1.2.3",
        keyId: KEY_ID,
        certificateSerial: "42",
        level: "admin",
      },
    ]);
  });

  it("a revoked certificate: one failure with the reason, not one per key tried", () => {
    const { out } = feed([
      'Connection from 10.1.2.3 port 58620 on 10.1.2.4 port 22 rdomain ""',
      "Authentication key ED25519-CERT SHA256:kGA revoked by file /etc/ssh/hostpass/revoked.krl",
      `Failed publickey for alice@contoso.com from 10.1.2.3 port 58620 ssh2: ${CERT}`,
      "Failed publickey for alice@contoso.com from 10.1.2.3 port 58620 ssh2: ED25519 SHA256:kGA",
      "Connection closed by authenticating user alice@contoso.com 10.1.2.3 port 58620 [preauth]",
    ]);
    assert.equal(out.length, 1);
    assert.equal(out[0]?.result, "failure");
    assert.equal(out[0]?.reason, "certificate revoked");
    assert.equal(out[0]?.certificateSerial, "42");
    assert.equal(out[0]?.level, undefined);
  });

  it("principal not allowed, and an unknown user, each reported when the connection closes", () => {
    const { out } = feed([
      'Connection from 10.1.2.3 port 1 on 10.1.2.4 port 22 rdomain ""',
      "Certificate does not contain an authorized principal",
      `Failed publickey for bob@contoso.com from 10.1.2.3 port 1 ssh2: ${CERT}`,
      'Connection from 10.1.2.9 port 2 on 10.1.2.4 port 22 rdomain ""',
      "Invalid user mallory from 10.1.2.9 port 2",
      "Connection closed by invalid user mallory 10.1.2.9 port 2 [preauth]",
    ]);
    assert.deepEqual(
      out.map((r) => [r.linuxName, r.sourceAddress, r.reason]),
      [
        ["bob@contoso.com", "10.1.2.3", "principal not allowed"],
        ["mallory", "10.1.2.9", "unknown user"],
      ],
    );
  });

  it("a plain key refused: reported once at the close, without certificate fields", () => {
    const { out } = feed([
      'Connection from 10.1.2.3 port 3 on 10.1.2.4 port 22 rdomain ""',
      "Failed publickey for alice@contoso.com from 10.1.2.3 port 3 ssh2: ED25519 SHA256:SQg",
      "Connection closed by authenticating user alice@contoso.com 10.1.2.3 port 3 [preauth]",
    ]);
    assert.deepEqual(
      out.map((r) => [r.result, r.keyId, r.reason]),
      [["failure", undefined, "authentication failed"]],
    );
  });

  it("a user name or key id that imitates the address is not believed", () => {
    const spoofUser = "x from 6.6.6.6 port 7 ssh2: ED25519-CERT SHA256:a ID z (serial 1) CA ED25519 SHA256:b";
    const { out } = feed([
      'Connection from 10.9.9.9 port 4444 on 10.1.2.4 port 22 rdomain ""',
      `Failed publickey for invalid user ${spoofUser} from 10.9.9.9 port 4444 ssh2: ED25519-CERT SHA256:c ID evil from 5.5.5.5 port 5 ssh2 (serial 9) ${CA}`,
    ]);
    assert.equal(out.length, 1);
    assert.equal(out[0]?.sourceAddress, "10.9.9.9");
    assert.equal(
      out[0]?.linuxName,
      "unknown",
      "not an account name: sent as unknown, the text in the reason",
    );
    assert.equal(out[0]?.keyId, undefined);
    assert.equal(out[0]?.certificateSerial, "9");
    assert.match(out[0]?.reason ?? "", /user name sent: "x from 6\.6\.6\.6 port 7 ssh2: ED25519-CERT/);
    assert.match(out[0]?.reason ?? "", /certificate key id: "evil from 5\.5\.5\.5 port 5 ssh2"/);
  });

  it("reasons follow their process when the source gives pids", () => {
    const parser = loginLogParser(levels);
    parser.push({ message: 'Connection from 10.0.0.1 port 1 on 10.0.0.2 port 22 rdomain ""', pid: 10, at });
    parser.push({ message: 'Connection from 10.0.0.3 port 2 on 10.0.0.2 port 22 rdomain ""', pid: 11, at });
    parser.push({ message: "Authentication key ED25519-CERT SHA256:x revoked by file /k", pid: 10, at });
    parser.push({ message: "Certificate does not contain an authorized principal", pid: 11, at });
    const b = parser.push({
      message: `Failed publickey for b from 10.0.0.3 port 2 ssh2: ${CERT}`,
      pid: 11,
      at,
    });
    const a = parser.push({
      message: `Failed publickey for a from 10.0.0.1 port 1 ssh2: ${CERT}`,
      pid: 10,
      at,
    });
    assert.equal(a[0]?.reason, "certificate revoked");
    assert.equal(b[0]?.reason, "principal not allowed");
  });

  it("an attempt whose connection never logs its end is reported by flush", () => {
    const { parser } = feed([
      'Connection from 10.1.2.3 port 5 on 10.1.2.4 port 22 rdomain ""',
      "Failed publickey for carol from 10.1.2.3 port 5 ssh2: ED25519 SHA256:SQg",
      "Access denied for user carol by PAM account configuration [preauth]",
    ]);
    assert.deepEqual(parser.flush(at + 1000), []);
    const late = parser.flush(at + 200_000);
    assert.equal(late.length, 1);
    assert.equal(late[0]?.linuxName, "carol");
  });

  it("a client-chosen user name or key id is bounded, and printable ASCII, in the report", () => {
    const long = `\u00c5${"u".repeat(5000)}`;
    const { out } = feed([
      'Connection from 10.1.2.3 port 9 on 10.1.2.4 port 22 rdomain ""',
      `Failed publickey for invalid user ${long} from 10.1.2.3 port 9 ssh2: ED25519-CERT SHA256:a ID ${"k".repeat(5000)} (serial 1) ${CA}`,
    ]);
    assert.equal(out[0]?.linuxName, "unknown");
    assert.equal(out[0]?.keyId, undefined);
    assert.ok((out[0]?.reason?.length ?? 0) <= 256);
    assert.match(out[0]?.reason ?? "", /^user name sent: "\\u\{c5\}uuu/);
    assert.match(out[0]?.reason ?? "", /^[\x20-\x7e]+$/);
  });
});
