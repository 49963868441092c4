/**
 * ssh login through a hostpass-managed sshd (certificate, TrustedUserCAKeys, a KRL and a static
 * AuthorizedPrincipalsFile, as the host agent will write them) ÷ the same login with a plain key in
 * authorized_keys, against two sshd processes on loopback started here. Logins alternate between
 * the two so machine noise hits both; each runs the internal-sftp subsystem, so no user shell or
 * rc file is timed. Target: ratio <= 1.10 (PRODUCT.md §7).
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  encodeKrl,
  formatCertificate,
  formatPrivateKey,
  formatPublicKey,
  renderTrustedUserCaKeys,
  signCertificate,
} from "../src/ssh/index.ts";
import { makeTempDir, removeDir, sshLogin, startSshd, writeSecret } from "../test/helpers/openssh.ts";
import { testKeyPair, testSigner, userCertFields } from "../test/helpers/ssh-fixtures.ts";
import { median, round } from "./lib-measure.ts";

const TARGET = 1.1;

export async function run(args: string[]): Promise<object> {
  const logins = Number(args.find((a) => /^\d+$/.test(a)) ?? 30);
  const dir = await makeTempDir("hostpass-bench-login-");
  try {
    const user = testKeyPair("ssh-ed25519", "user");
    const ca = testSigner("ssh-ed25519");
    const cert = signCertificate(userCertFields(user.publicKey, { principals: ["hostpass-login"] }), ca);
    const identityFile = await writeSecret(join(dir, "id"), formatPrivateKey(user.privateKey));
    const certificateFile = join(dir, "id-cert.pub");
    await writeFile(certificateFile, formatCertificate(cert));
    const plainKeyFile = await writeSecret(join(dir, "plain"), formatPrivateKey(user.privateKey));
    await writeFile(join(dir, "trusted"), renderTrustedUserCaKeys([ca.publicKey]));
    await writeFile(
      join(dir, "revoked.krl"),
      encodeKrl({ version: 1n, certificates: [{ caKey: ca.publicKey, serials: [7n] }] }),
    );
    await writeFile(join(dir, "principals_root"), "hostpass-login\n");
    await writeFile(join(dir, "authorized_keys_root"), `${formatPublicKey(user.publicKey)}\n`);
    const managedDir = await makeTempDir();
    const plainDir = await makeTempDir();
    const managed = await startSshd({
      dir: managedDir,
      trustedUserCaKeys: join(dir, "trusted"),
      authorizedPrincipalsFile: join(dir, "principals_%u"),
    });
    const plain = await startSshd({ dir: plainDir, authorizedKeysFile: join(dir, "authorized_keys_%u") });
    const withCert = { port: managed.port, user: "root", identityFile, certificateFile, subsystem: "sftp" };
    const withKey = { port: plain.port, user: "root", identityFile: plainKeyFile, subsystem: "sftp" };
    const time = async (o: typeof withKey) => {
      const start = performance.now();
      const out = await sshLogin(o);
      if (out.code !== 0) throw new Error(`login failed: ${out.stderr}`);
      return performance.now() - start;
    };
    const certMs: number[] = [];
    const keyMs: number[] = [];
    await time(withCert);
    await time(withKey);
    for (let i = 0; i < logins; i++) {
      certMs.push(await time(withCert));
      keyMs.push(await time(withKey));
    }
    await managed.stop();
    await plain.stop();
    await removeDir(managedDir);
    await removeDir(plainDir);
    const ratio = median(certMs) / median(keyMs);
    return {
      what: "median ssh login time, hostpass-managed sshd with certificate ÷ plain authorized_keys key (internal-sftp, no shell)",
      logins,
      certificateLoginMs: round(median(certMs), 1),
      plainKeyLoginMs: round(median(keyMs), 1),
      ratio: round(ratio),
      target: TARGET,
      pass: ratio <= TARGET,
    };
  } finally {
    await removeDir(dir);
  }
}
