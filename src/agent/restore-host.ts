/**
 * Extension disable: puts the host back as it was before the agent's first change. Logins stop
 * first (principals files and sudo rights go), then sshd gets its own configuration back and is
 * reloaded (before the files its old configuration named disappear: a missing RevokedKeys file
 * would refuse every key), then NSS and PAM, then the agent's own files and directories.
 * Edited files get their original bytes, mode and owner back; when someone edited one after the
 * agent did, only the agent's lines are taken out.
 */
import { readdir, rmdir } from "node:fs/promises";
import { EMPTY_RECORD } from "./agent-store.ts";
import type { HostRecordStore } from "./apply-host-state.ts";
import { removeMkhomedir, removeNssSource } from "./edit-host-config.ts";
import { HostFiles } from "./host-files.ts";
import type { HostPaths } from "./host-paths.ts";
import type { SystemTools } from "./lib/system-tools.ts";
import { deactivateSshd } from "./sshd-activation.ts";

export interface RestoreResult {
  readonly changed: readonly string[];
  readonly sshdReloaded: boolean;
}

async function removeAll(files: HostFiles, dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  for (const name of names) await files.remove(`${dir}/${name}`);
}

async function restoreEdited(
  files: HostFiles,
  path: string,
  unedit: (text: string) => string,
): Promise<void> {
  const original = files.record.originals[path];
  if (!original) return;
  if (!original.existed || (await files.unchangedSinceWritten(path))) {
    await files.restore(path);
    return;
  }
  const current = (await files.read(path))?.toString("utf8");
  if (current === undefined) return;
  const next = unedit(current);
  if (next !== current) {
    await files.write(path, next, original.mode ?? 0o644, {
      owner: { uid: original.uid ?? 0, gid: original.gid ?? 0 },
    });
  }
}

export async function restoreHost(
  paths: HostPaths,
  tools: SystemTools,
  records: HostRecordStore,
): Promise<RestoreResult> {
  const record = await records.load();
  if (!record || Object.keys(record.originals).length === 0) return { changed: [], sshdReloaded: false };
  const files = new HostFiles(paths.root, record);
  try {
    await removeAll(files, paths.principalsDir);
    await files.restore(paths.sudoersFile);
    const sshdReloaded = await deactivateSshd(files, paths, tools);
    await restoreEdited(files, paths.nsswitch, removeNssSource);
    await restoreEdited(files, paths.pamSshd, removeMkhomedir);
    for (const path of [paths.extrausersShadow, paths.extrausersPasswd, paths.extrausersGroup]) {
      await files.restore(path);
    }
    await files.remove(paths.trustedUserCaKeys);
    await files.remove(paths.revokedKeys);
    await removeAll(files, paths.hostCertificatesDir);
    for (const dir of [...files.record.createdDirs].reverse()) {
      await rmdir(dir).catch(() => undefined); // only when empty: something else may live there now
    }
    files.update({ ...EMPTY_RECORD });
    return { changed: files.changed, sshdReloaded };
  } finally {
    await records.save(files.record);
  }
}
