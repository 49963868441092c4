/**
 * `npm run bench -- login [N]`: ssh login with a certificate through the agent-managed sshd ÷ the
 * same login with a plain `authorized_keys` key, on the same sshd (PRODUCT.md §7, target <= 1.10).
 *
 * A local machine (src/localvm: its own sshd, NSS, PAM, sudo) gets the agent's files from
 * `hostpass-agent apply` (a directory user with a login, the tenant's CA, a KRL with revoked
 * serials). Each round logs in once as the directory user with a certificate (extrausers, principals
 * file, KRL, pam_mkhomedir) and once as the machine's local admin with a key in authorized_keys,
 * alternating so machine noise hits both; each login runs `true`. The ratio is of the medians.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { formatPublicKey } from "../src/ssh/index.ts";
import { hostState, krlBytes, objectIdOf } from "../test/agent/helpers/host-state-fixture.ts";
import { sshdReady } from "../test/agent/helpers/sshd-ready.ts";
import { testUser } from "../test/agent/helpers/user-certs.ts";
import { makeUserKey, openMachineLab } from "../test/helpers/local-machines.ts";
import { makeTempDir, removeDir, sshLogin } from "../test/helpers/openssh.ts";
import { testKeyPair, testSigner } from "../test/helpers/ssh-fixtures.ts";
import { median, round } from "./lib-measure.ts";

const TARGET = 1.1;
const REPO = join(import.meta.dirname, "..");

export async function run(args: string[]): Promise<object> {
  const logins = Number(args.find((a) => /^\d+$/.test(a)) ?? 30);
  const dir = await makeTempDir("hostpass-bench-login-");
  const share = await makeTempDir("hostpass-bench-share-");
  const lab = await openMachineLab();
  try {
    const admin = await makeUserKey(dir, "breakglass_key");
    const machine = await lab.start({
      hostname: "bench-login",
      adminUser: { name: "localadmin", authorizedKeys: [admin.publicLine] },
      binds: [
        { source: REPO, target: "/opt/hostpass", readOnly: true },
        { source: share, target: "/opt/hostpass-bench", readOnly: true },
      ],
    });
    const ca = testSigner("ssh-ed25519", "bench-login-ca");
    const alice = await testUser(dir, "alice@contoso.com", objectIdOf(1));
    const serials = Array.from({ length: 1000 }, (_, i) => BigInt(i + 1) * 7919n);
    const krl = krlBytes({ version: 3n, certificates: [{ caKey: null, serials }] });
    const state = hostState(
      {
        userCaKeys: [
          {
            id: "ca",
            status: "active",
            publicKey: formatPublicKey(testKeyPair("ssh-ed25519", "bench-login-ca").publicKey),
          },
        ],
        logins: [
          {
            objectId: alice.objectId,
            kind: "user",
            linuxName: alice.name,
            uid: 100_001,
            level: "admin",
            displayName: "Alice",
          },
        ],
      },
      krl,
    );
    await writeFile(join(share, "state.json"), JSON.stringify(state));
    await writeFile(join(share, "krl"), krl);
    const applied = await machine.exec(
      [
        "/opt/hostpass/bin/hostpass-agent",
        "apply",
        "--state",
        "/opt/hostpass-bench/state.json",
        "--krl",
        "/opt/hostpass-bench/krl",
      ],
      { timeoutMs: 120_000 },
    );
    if (applied.code !== 0) throw new Error(`hostpass-agent apply failed: ${applied.stderr}`);
    await sshdReady(machine.address); // the new drop-in reloaded sshd
    const certificateFile = await alice.certificate(ca);
    const withCert = {
      host: machine.address,
      port: 22,
      user: alice.name,
      identityFile: alice.key,
      certificateFile,
      command: "true",
    };
    const withKey = {
      host: machine.address,
      port: 22,
      user: "localadmin",
      identityFile: admin.key,
      command: "true",
    };
    const time = async (o: typeof withKey) => {
      const start = performance.now();
      const out = await sshLogin(o);
      if (out.code !== 0) throw new Error(`login as ${o.user} failed: ${out.stderr}`);
      return performance.now() - start;
    };
    await time(withCert); // the first login makes the home (pam_mkhomedir): not part of the steady state
    await time(withKey);
    const certMs: number[] = [];
    const keyMs: number[] = [];
    for (let i = 0; i < logins; i++) {
      certMs.push(await time(withCert));
      keyMs.push(await time(withKey));
    }
    const ratio = median(certMs) / median(keyMs);
    return {
      what: "median ssh login time (`true`), directory user with a certificate ÷ local user with an authorized_keys key, same agent-managed sshd on a local machine",
      logins,
      certificateLoginMs: round(median(certMs), 1),
      plainKeyLoginMs: round(median(keyMs), 1),
      ratio: round(ratio),
      target: TARGET,
      pass: ratio <= TARGET,
    };
  } finally {
    await lab.close();
    await removeDir(dir);
    await removeDir(share);
  }
}
