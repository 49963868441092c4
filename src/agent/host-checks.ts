/**
 * Checks of the host before directory users are written: the legacy directory-login packages
 * (the seed's exit 23), and each user's home (pam_mkhomedir makes it on first login; one that
 * already exists must be a real directory owned by that user, never a planted symlink).
 */
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import { LegacyLoginInstalledError, UnsafePathError } from "./errors.ts";
import type { HostPaths } from "./host-paths.ts";
import { checkDirectories, readManaged } from "./lib/safe-fs.ts";
import type { PlannedLogin, RefusedLogin } from "./plan-logins.ts";
import { homeOf } from "./render-files.ts";

const LEGACY_PACKAGES = ["aadlogin", "aadlogin-selinux"];

/** Throws LegacyLoginInstalledError when AADLoginForLinux's packages or hooks are on the host. */
export async function checkNoLegacyLogin(paths: HostPaths): Promise<void> {
  const status =
    (await readManaged(paths.root, join(paths.root, "var/lib/dpkg/status")))?.toString("utf8") ?? "";
  for (const stanza of status.split("\n\n")) {
    const name = /^Package: (\S+)$/m.exec(stanza)?.[1];
    if (name && LEGACY_PACKAGES.includes(name) && /^Status: install ok installed$/m.test(stanza)) {
      throw new LegacyLoginInstalledError(`package ${name}`);
    }
  }
  const pamDir = join(paths.root, "etc/pam.d");
  let pamFiles: string[] = [];
  try {
    pamFiles = await readdir(pamDir);
  } catch {
    pamFiles = [];
  }
  for (const file of pamFiles) {
    const text = (await readManaged(paths.root, join(pamDir, file)).catch(() => undefined))?.toString("utf8");
    if (text && /^[^#\n]*\bpam_aad\.so\b/m.test(text))
      throw new LegacyLoginInstalledError(`pam_aad in ${join(pamDir, file)}`);
  }
  const nss = (await readManaged(paths.root, paths.nsswitch))?.toString("utf8") ?? "";
  if (/^\s*passwd\s*:[^#\n]*\baad\b/m.test(nss))
    throw new LegacyLoginInstalledError(`the aad source in ${paths.nsswitch}`);
}

/**
 * Splits logins into those whose home is safe and those refused: an existing home that is a
 * symlink, not a directory, or owned by another uid. When the home base itself is unsafe
 * (writable by others, or a link), every login is refused: anyone could plant a link later.
 */
export async function checkHomes(
  paths: HostPaths,
  logins: readonly PlannedLogin[],
): Promise<{ logins: PlannedLogin[]; refused: RefusedLogin[] }> {
  if (logins.length === 0) return { logins: [], refused: [] };
  try {
    await checkDirectories(paths.root, paths.homeBase);
  } catch (error) {
    if (!(error instanceof UnsafePathError)) throw error;
    const reason = `home base is unsafe: ${error.message}`;
    return {
      logins: [],
      refused: logins.map((l) => ({ objectId: l.objectId, linuxName: l.linuxName, reason })),
    };
  }
  const ok: PlannedLogin[] = [];
  const refused: RefusedLogin[] = [];
  for (const login of logins) {
    const home = homeOf(paths, login);
    let reason: string | undefined;
    try {
      const st = await lstat(home);
      if (st.isSymbolicLink()) reason = `home ${home} is a symlink; it is never followed`;
      else if (!st.isDirectory()) reason = `home ${home} is not a directory`;
      else if (st.uid !== login.uid) reason = `home ${home} belongs to uid ${st.uid}, not ${login.uid}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    if (reason) refused.push({ objectId: login.objectId, linuxName: login.linuxName, reason });
    else ok.push(login);
  }
  return { logins: ok, refused };
}
