/**
 * A stand-in for an agent-managed host, until local machines with the host agent serve these tests:
 * a real sshd on loopback that trusts the tenant's user CA (from the server's store), presents a
 * host certificate from the tenant's host CA, admits each given directory principal by its Linux
 * name (AuthorizedPrincipalsFile), and knows those accounts in its own mount namespace.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { activeCaKey, openCaSigner } from "../../src/ca/index.ts";
import { loadOrCreateKek, type RunningServer } from "../../src/server/index.ts";
import {
  formatCertificate,
  formatPrivateKey,
  generateKeyPair,
  signCertificate,
} from "../../src/ssh/index.ts";
import { makeTempDir, removeDir, type Sshd, startSshd, writeSecret } from "./openssh.ts";

export interface StandInHost {
  readonly sshd: Sshd;
  readonly port: string;
  /** Its files; `principals/<linux name>` admits that account (remove it and sshd refuses). */
  readonly dir: string;
  stop(): Promise<void>;
}

export async function startStandInHost(
  running: RunningServer,
  dataDir: string,
  linuxNames: readonly string[],
  extra: { authorizedKeysFile?: string } = {},
): Promise<StandInHost> {
  const dir = await makeTempDir("hostpass-stand-in-");
  const records = await running.store.caKeys.list();
  const userCa = records.filter((r) => r.purpose === "user").map((r) => r.publicKey);
  await writeFile(join(dir, "trusted"), `${userCa.join("\n")}\n`);
  await mkdir(join(dir, "principals"));
  for (const name of linuxNames) await writeFile(join(dir, "principals", name), `${name}\n`);
  const host = generateKeyPair("ssh-ed25519");
  const hostKey = await writeSecret(join(dir, "host_key"), formatPrivateKey(host.privateKey));
  const now = BigInt(Math.floor(Date.now() / 1000));
  const hostCert = signCertificate(
    {
      kind: "host",
      key: host.publicKey,
      serial: 7n,
      keyId: "host/stand-in",
      principals: ["127.0.0.1", "localhost"],
      validAfter: now - 60n,
      validBefore: now + 3600n,
      criticalOptions: {},
      extensions: {},
    },
    openCaSigner(activeCaKey(records, "host"), await loadOrCreateKek(dataDir)),
  );
  await writeFile(join(dir, "host_key-cert.pub"), formatCertificate(hostCert));
  const base = 61_000 + Math.floor(Math.random() * 900) * 4;
  const users = [];
  for (const [i, name] of linuxNames.entries()) {
    const home = join(dir, `home${i}`);
    await mkdir(home);
    users.push({ name, uid: base + i, home });
  }
  const sshd = await startSshd({
    dir,
    hostKey,
    hostCertificate: join(dir, "host_key-cert.pub"),
    trustedUserCaKeys: join(dir, "trusted"),
    authorizedPrincipalsFile: join(dir, "principals", "%u"),
    ...(extra.authorizedKeysFile ? { authorizedKeysFile: extra.authorizedKeysFile } : {}),
    users,
  });
  return {
    sshd,
    port: String(sshd.port),
    dir,
    async stop() {
      await sshd.stop();
      await removeDir(dir);
    },
  };
}
