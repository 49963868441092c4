/**
 * The certificate `ssh vm` and `ssh config` use, kept in a keys folder until close to expiry:
 * `id_ed25519` (0600), `id_ed25519.pub`, `id_ed25519-cert.pub`, `known_hosts` (the tenant's host CA
 * as `@cert-authority` lines) and `meta.json` (whose account, valid until when). The default folder
 * is `<config dir>/ssh/<cloud>/<object id>/` (0700); its key is ephemeral: it lives only as long as
 * its certificate, is replaced with it, and goes with `hostpass logout`.
 *
 * This module only reads (it is on `ssh vm`'s fast path: node built-ins only); renewal.ts writes.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";

export const KEY_NAME = "id_ed25519";

export interface CredentialMeta {
  /** The CLI state directory of the account, so a renewal from `ssh config` finds it. */
  readonly configDir: string;
  readonly cloud: string;
  readonly objectId: string;
  /** The certificate's one principal: the Linux account name to log in as. */
  readonly principal: string;
  /** Epoch seconds. */
  readonly validAfter: number;
  readonly validBefore: number;
  /** Present when the key is the user's own (`-i/-p`), not an ephemeral one in the folder. */
  readonly privateKeyFile?: string;
}

export interface CachedCredential extends CredentialMeta {
  readonly folder: string;
  readonly privateKeyFile: string;
  readonly certificateFile: string;
  readonly knownHostsFile: string;
}

export function defaultKeysFolder(configDir: string, cloud: string, objectId: string): string {
  return join(configDir, "ssh", cloud, objectId);
}

/**
 * Renew this long before expiry: a fifth of the lifetime, at most 5 minutes, at least 30 s. An ssh
 * login needs the certificate valid only while it authenticates; the margin absorbs clock skew.
 */
export function renewMarginSeconds(meta: Pick<CredentialMeta, "validAfter" | "validBefore">): number {
  return Math.max(30, Math.min(300, Math.floor((meta.validBefore - meta.validAfter) / 5)));
}

export function credentialIn(folder: string, meta: CredentialMeta): CachedCredential {
  const privateKeyFile = meta.privateKeyFile ?? join(folder, KEY_NAME);
  return {
    ...meta,
    folder,
    privateKeyFile,
    certificateFile: `${privateKeyFile}-cert.pub`,
    knownHostsFile: join(folder, "known_hosts"),
  };
}

export async function readMeta(folder: string): Promise<CredentialMeta | undefined> {
  try {
    const meta = JSON.parse(await readFile(join(folder, "meta.json"), "utf8")) as CredentialMeta;
    return typeof meta.validBefore === "number" && typeof meta.principal === "string" ? meta : undefined;
  } catch {
    return undefined;
  }
}

/** The folder's certificate when it is still good for `nowMs` plus the margin, with its files present. */
export async function readFresh(folder: string, nowMs: number): Promise<CachedCredential | undefined> {
  const meta = await readMeta(folder);
  if (!meta || meta.validBefore - renewMarginSeconds(meta) <= nowMs / 1000) return undefined;
  const credential = credentialIn(folder, meta);
  const present = await Promise.all(
    [credential.privateKeyFile, credential.certificateFile].map((f) =>
      stat(f).then(
        () => true,
        () => false,
      ),
    ),
  );
  return present.every(Boolean) ? credential : undefined;
}
