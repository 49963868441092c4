/**
 * Real logins through Debian's sshd and ssh with certificates made by src/ssh: every CA type with
 * every user key type, the refusals sshd must make, KRL revocation through RevokedKeys, and a host
 * certificate accepted through an @cert-authority line with StrictHostKeyChecking=yes.
 */
import assert from "node:assert/strict";
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  type Certificate,
  type CertificateFields,
  encodeKrl,
  formatCertificate,
  formatPrivateKey,
  type KeyType,
  type KrlInput,
  renderCertAuthorityLine,
  renderTrustedUserCaKeys,
  type Signer,
  signCertificate,
} from "../../src/ssh/index.ts";
import { makeTempDir, removeDir, type Sshd, sshLogin, startSshd, writeSecret } from "../helpers/openssh.ts";
import { nowSeconds, testKeyPair, testSigner, userCertFields } from "../helpers/ssh-fixtures.ts";

const CA_TYPES: readonly KeyType[] = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"];
const USER_TYPES: readonly KeyType[] = ["ssh-ed25519", "ecdsa-sha2-nistp384", "ssh-rsa"];
const HOST_ALIAS = "hostpass-test-host";

let dir: string;
let sshd: Sshd;
let krlPath: string;
let serial = 1000n;

async function writeKrl(input: KrlInput): Promise<void> {
  // sshd refuses everyone while the KRL is unreadable, so replace it atomically.
  await writeFile(`${krlPath}.tmp`, encodeKrl(input));
  await rename(`${krlPath}.tmp`, krlPath);
}

before(async () => {
  dir = await makeTempDir();
  const trusted = join(dir, "trusted_user_ca_keys");
  await writeFile(trusted, renderTrustedUserCaKeys(CA_TYPES.map((t) => testSigner(t).publicKey)));
  krlPath = join(dir, "revoked.krl");
  await writeKrl({ version: 1n });
  const host = testKeyPair("ssh-ed25519", "host");
  const hostKey = await writeSecret(join(dir, "ssh_host_key"), formatPrivateKey(host.privateKey));
  const hostCert = signCertificate(
    userCertFields(host.publicKey, {
      kind: "host",
      principals: [HOST_ALIAS],
      keyId: "host/vm1",
      extensions: {},
    }),
    testSigner("ssh-ed25519", "host-ca"),
  );
  const hostCertificate = join(dir, "ssh_host_key-cert.pub");
  await writeFile(hostCertificate, formatCertificate(hostCert));
  sshd = await startSshd({ dir, trustedUserCaKeys: trusted, revokedKeys: krlPath, hostKey, hostCertificate });
});

after(async () => {
  await sshd?.stop();
  await removeDir(dir);
});

interface Login {
  readonly cert: Certificate;
  readonly identityFile: string;
  readonly certificateFile: string;
}

/** Writes a key and a certificate for it, as `ssh -i key -o CertificateFile=cert` expects them. */
async function issue(
  userType: KeyType,
  signer: Signer,
  overrides: Partial<CertificateFields> = {},
): Promise<Login> {
  const id = serial++;
  const { privateKey, publicKey } = testKeyPair(userType, "login");
  const cert = signCertificate(
    userCertFields(publicKey, { serial: id, keyId: `test/${id}`, ...overrides }),
    signer,
  );
  const identityFile = await writeSecret(join(dir, `id_${id}`), formatPrivateKey(privateKey));
  const certificateFile = join(dir, `id_${id}-cert.pub`);
  await writeFile(certificateFile, formatCertificate(cert));
  return { cert, identityFile, certificateFile };
}

async function login(l: Login, user = "root") {
  return sshLogin({
    port: sshd.port,
    user,
    identityFile: l.identityFile,
    certificateFile: l.certificateFile,
  });
}

async function assertRefused(l: Login, sshdSays: RegExp, user = "root"): Promise<void> {
  const before = sshd.log().length;
  const out = await login(l, user);
  assert.equal(out.code, 255, `expected a refusal, got ${out.code}: ${out.stdout}${out.stderr}`);
  assert.match(out.stderr, /Permission denied/);
  assert.match(sshd.log().slice(before), sshdSays);
}

describe("sshd accepts hostpass certificates", () => {
  for (const caType of CA_TYPES) {
    for (const userType of USER_TYPES) {
      test(`${userType} user key with a ${caType} CA logs in`, async () => {
        const out = await login(await issue(userType, testSigner(caType)));
        assert.equal(out.code, 0, `${out.stderr}\n${sshd.log().slice(-2000)}`);
        assert.equal(out.stdout.trim(), "hostpass-login-ok");
      });
    }
  }

  test("sshd logs the key id and serial of the accepted certificate", async () => {
    const l = await issue("ssh-ed25519", testSigner("ssh-ed25519"));
    const before = sshd.log().length;
    assert.equal((await login(l)).code, 0);
    assert.match(
      sshd.log().slice(before),
      new RegExp(`Accepted certificate ID "${l.cert.keyId}" \\(serial ${l.cert.serial}\\)`),
    );
  });
});

describe("sshd refuses", () => {
  const ed = () => testSigner("ssh-ed25519");
  const now = nowSeconds();

  test("an expired certificate", async () => {
    await assertRefused(
      await issue("ssh-ed25519", ed(), { validAfter: now - 7200n, validBefore: now - 3600n }),
      /expired/,
    );
  });

  test("a certificate that is not yet valid", async () => {
    await assertRefused(
      await issue("ssh-ed25519", ed(), { validAfter: now + 3600n, validBefore: now + 7200n }),
      /not yet valid/,
    );
  });

  test("a certificate for another principal, a case variant, or a comma-joined one", async () => {
    await assertRefused(
      await issue("ssh-ed25519", ed(), { principals: ["alice"] }),
      /not a listed principal/,
    );
    await assertRefused(await issue("ssh-ed25519", ed(), { principals: ["ROOT"] }), /not a listed principal/);
    await assertRefused(
      await issue("ssh-ed25519", ed(), { principals: ["nobody,root"] }),
      /not a listed principal/,
    );
  });

  test("a certificate from a CA that is not trusted", async () => {
    const rogue = await issue("ssh-ed25519", testSigner("ssh-ed25519", "rogue-ca"));
    await assertRefused(rogue, new RegExp(`Failed publickey for root .* ID ${rogue.cert.keyId} `));
  });

  test("a host certificate presented as a user certificate", async () => {
    // ssh itself does not offer a host certificate for user authentication; only the bare key reaches sshd.
    await assertRefused(
      await issue("ssh-ed25519", ed(), { kind: "host" }),
      /Failed publickey for root .* ED25519 SHA256/,
    );
  });

  test("a certificate with no principals", async () => {
    await assertRefused(
      await issue("ssh-ed25519", ed(), { principals: [] }),
      /Failed publickey for root .* ID test\/\d+ /,
    );
  });

  test("a plain key with no certificate (no authorized_keys path exists)", async () => {
    const l = await issue("ssh-ed25519", ed());
    // ssh picks up <key>-cert.pub by itself, so the bare key gets a path with no certificate beside it.
    const bare = await writeSecret(join(dir, "bare_key"), await readFile(l.identityFile, "utf8"));
    const out = await sshLogin({ port: sshd.port, user: "root", identityFile: bare });
    assert.equal(out.code, 255);
    assert.match(out.stderr, /Permission denied/);
  });

  test("certificates revoked by serial, serial range, key id and key through the KRL", async () => {
    const bySerial = await issue("ssh-ed25519", ed());
    const byRange = await issue("ecdsa-sha2-nistp384", ed());
    const byKeyId = await issue("ssh-ed25519", ed());
    const keep = await issue("ssh-ed25519", ed());
    const otherCa = await issue("ssh-ed25519", testSigner("ecdsa-sha2-nistp256"), {
      serial: bySerial.cert.serial,
    });
    for (const l of [bySerial, byRange, byKeyId, keep, otherCa]) assert.equal((await login(l)).code, 0);
    await writeKrl({
      version: 2n,
      certificates: [
        {
          caKey: ed().publicKey,
          serials: [bySerial.cert.serial],
          serialRanges: [{ from: byRange.cert.serial, to: byRange.cert.serial }],
          keyIds: [byKeyId.cert.keyId],
        },
      ],
    });
    await assertRefused(bySerial, /revoked/);
    await assertRefused(byRange, /revoked/);
    await assertRefused(byKeyId, /revoked/);
    assert.equal((await login(keep)).code, 0, "a certificate not in the KRL still logs in");
    assert.equal((await login(otherCa)).code, 0, "the same serial under another CA is not revoked");
    const rsaKey = testKeyPair("ssh-rsa", "login").publicKey;
    const byKey = await issue("ssh-rsa", ed());
    await writeKrl({ version: 3n, keys: [rsaKey] });
    await assertRefused(byKey, /revoked/);
    assert.equal((await login(bySerial)).code, 0, "a newer KRL without the serial lets it in again");
    await writeKrl({ version: 4n });
  });
});

describe("host certificates", () => {
  /** A login whose known_hosts trusts only the host CA `caLabel` (StrictHostKeyChecking=yes). */
  async function loginTrustingHostCa(caLabel: string) {
    const l = await issue("ssh-ed25519", testSigner("ssh-ed25519"));
    const knownHosts = join(dir, `known_hosts_${caLabel}`);
    await writeFile(
      knownHosts,
      renderCertAuthorityLine([HOST_ALIAS], testSigner("ssh-ed25519", caLabel).publicKey),
    );
    return sshLogin({
      ...l,
      port: sshd.port,
      user: "root",
      knownHostsFile: knownHosts,
      hostKeyAlias: HOST_ALIAS,
    });
  }

  test("are accepted through @cert-authority with StrictHostKeyChecking=yes and no prompt", async () => {
    const out = await loginTrustingHostCa("host-ca");
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout.trim(), "hostpass-login-ok");
  });

  test("are refused when known_hosts trusts another host CA", async () => {
    const out = await loginTrustingHostCa("other-host-ca");
    assert.equal(out.code, 255);
    assert.match(out.stderr, /Host key verification failed/);
  });
});
