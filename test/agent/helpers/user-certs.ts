/** Users for the real-login tests: a key pair on disk and certificates from a test CA, as hostpass issues them. */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  formatCertificate,
  formatPrivateKey,
  formatPublicKey,
  type Signer,
  signCertificate,
} from "../../../src/ssh/index.ts";
import { writeSecret } from "../../helpers/openssh.ts";
import { nowSeconds, testKeyPair } from "../../helpers/ssh-fixtures.ts";
import { TENANT } from "./host-state-fixture.ts";

export interface TestUser {
  readonly name: string;
  readonly objectId: string;
  /** Private key file. */
  readonly key: string;
  readonly publicLine: string;
  /** A certificate file for this user's key from `ca` (principal = its name unless told). */
  certificate(ca: Signer, options?: { serial?: bigint; principal?: string; file?: string }): Promise<string>;
}

let serial = 1000n;

export async function testUser(dir: string, name: string, objectId: string): Promise<TestUser> {
  const pair = testKeyPair("ssh-ed25519", `login-${name}`);
  const safe = name.replace(/[^a-z0-9]/g, "_");
  const key = await writeSecret(join(dir, `${safe}_key`), formatPrivateKey(pair.privateKey));
  return {
    name,
    objectId,
    key,
    publicLine: formatPublicKey(pair.publicKey, name),
    async certificate(ca, options = {}) {
      const now = nowSeconds();
      const cert = signCertificate(
        {
          kind: "user",
          key: pair.publicKey,
          serial: options.serial ?? serial++,
          keyId: `${objectId}@${TENANT}`,
          principals: [options.principal ?? name],
          validAfter: now - 120n,
          validBefore: now + 3600n,
          criticalOptions: {},
          extensions: { "permit-pty": "" },
        },
        ca,
      );
      const file = join(dir, options.file ?? `${safe}-${cert.serial}-cert.pub`);
      await writeFile(file, formatCertificate(cert));
      return file;
    },
  };
}
