/**
 * Getting a certificate into a keys folder (ssh-cache.ts reads it): under a lock on the folder,
 * so parallel `scp`/`rsync` renewals through `ssh config` make one certificate, not one each; the
 * folder is re-read after the lock is taken. Files are written atomically, `meta.json` last (it is
 * removed first), so a crash half-way leaves a folder that is simply renewed next time.
 */
import { rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../../shared/atomic-write.ts";
import { makeDirectory } from "../../shared/make-directory.ts";
import { parsePublicKey, renderCertAuthorityLine } from "../../ssh/index.ts";
import type { CloudProfile } from "./clouds.ts";
import type { Session } from "./context.ts";
import { CliStateError } from "./errors.ts";
import { expectOk, http } from "./http.ts";
import {
  type CachedCredential,
  type CredentialMeta,
  credentialIn,
  KEY_NAME,
  readFresh,
} from "./ssh-cache.ts";
import {
  type IssueOptions,
  issueCertificate,
  type KeyFiles,
  newKeyPair,
  saveKeyPair,
} from "./ssh-credentials.ts";

export interface RenewOptions extends IssueOptions {
  /** The user's own key pair (`-i`/`-p`); an ephemeral one is made in the folder otherwise. */
  readonly keys?: KeyFiles;
}

export async function withFolderLock<T>(folder: string, work: () => Promise<T>): Promise<T> {
  const lockfile = await import("proper-lockfile");
  await makeDirectory(folder);
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(join(folder, "meta.json"), {
      realpath: false,
      stale: 20_000,
      retries: { retries: 600, factor: 1.2, minTimeout: 10, maxTimeout: 100 },
    });
  } catch (cause) {
    throw new CliStateError(`${folder} stays locked by another hostpass process`, { cause });
  }
  try {
    return await work();
  } finally {
    await release().catch(() => undefined);
  }
}

/** The folder's certificate, renewed first when missing or close to expiry. */
export async function ensureCredential(
  session: Session,
  folder: string,
  options: RenewOptions,
): Promise<CachedCredential> {
  const usable = (c: CachedCredential | undefined) =>
    c !== undefined &&
    c.objectId === session.account.objectId &&
    c.cloud === session.cloud.name &&
    (options.keys === undefined || c.privateKeyFile === options.keys.privateKeyFile);
  const before = await readFresh(folder, Date.now());
  if (usable(before)) return before as CachedCredential;
  return withFolderLock(folder, async () => {
    const fresh = await readFresh(folder, Date.now());
    if (usable(fresh)) return fresh as CachedCredential;
    const keys = options.keys ?? newKeyPair();
    const issued = await issueCertificate(session, keys, options);
    const hostCa = await hostCaLines(session.cloud);
    await rm(join(folder, "meta.json"), { force: true });
    const privateKeyFile =
      options.keys?.privateKeyFile ?? (await saveKeyPair(keys, join(folder, KEY_NAME))).privateKeyFile;
    const meta: CredentialMeta = {
      configDir: session.dir,
      cloud: session.cloud.name,
      objectId: session.account.objectId,
      principal: issued.certificate.principals[0] ?? "",
      validAfter: Number(issued.certificate.validAfter),
      validBefore: Number(issued.certificate.validBefore),
      ...(options.keys ? { privateKeyFile } : {}),
    };
    const credential = credentialIn(folder, meta);
    await writeFileAtomic(credential.certificateFile, issued.text, 0o644);
    await writeFileAtomic(credential.knownHostsFile, hostCa, 0o644);
    await writeFileAtomic(join(folder, "meta.json"), `${JSON.stringify(meta, null, 2)}\n`, 0o600);
    return credential;
  });
}

/** `@cert-authority *` lines for the tenant's host CA keys (active and announced), from `GET /ssh/ca`. */
async function hostCaLines(cloud: CloudProfile): Promise<string> {
  const res = await http(`${cloud.endpoint}/ssh/ca`, {
    ...(cloud.caFile ? { caFile: cloud.caFile } : {}),
  });
  const { hostCaKeys } = expectOk(res, "GET /ssh/ca") as { hostCaKeys: string[] };
  return hostCaKeys.map((line) => renderCertAuthorityLine(["*"], parsePublicKey(line))).join("");
}

/**
 * The host CA as a known_hosts file of the cloud (`<config dir>/ssh/<cloud>/known_hosts`), for ssh
 * runs without a certificate (`ssh vm --local-user`): re-read from the service on every run
 * (`GET /ssh/ca` needs no sign-in), the last copy when the service cannot be reached (a
 * break-glass login may be needed exactly then), none when there never was one.
 */
export async function hostCaKnownHosts(
  dir: string,
  cloud: CloudProfile,
  warn: (line: string) => void,
): Promise<string | undefined> {
  const file = join(dir, "ssh", cloud.name, "known_hosts");
  try {
    const lines = await hostCaLines(cloud);
    await makeDirectory(dirname(file));
    await writeFileAtomic(file, lines, 0o644);
    return file;
  } catch (error) {
    const kept = await stat(file).then(
      (st) => st.isFile(),
      () => false,
    );
    const why = error instanceof Error ? error.message : String(error);
    warn(
      kept
        ? `WARNING: the host CA could not be read (${why}); hosts are checked against its last known keys`
        : `WARNING: the host CA could not be read (${why}); hosts are checked against ~/.ssh/known_hosts only`,
    );
    return kept ? file : undefined;
  }
}
