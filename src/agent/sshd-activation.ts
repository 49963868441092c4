/**
 * Puts the sshd drop-in (and, when needed, an Include of it) in place and reloads sshd, only
 * after `sshd -t` accepts the host's whole configuration with it and `sshd -T` shows that the
 * agent's settings are the ones in force (another drop-in read earlier would win silently).
 *
 * sshd reads its configuration only when it starts or reloads (each connection's re-executed
 * child gets the configuration from the listener, not from disk), so the candidate is swapped in,
 * checked with the real sshd against the real file tree, and swapped back if refused, before any
 * reload: a refused configuration is never read by a running sshd.
 */

import { addSshdInclude, removeSshdInclude } from "./edit-host-config.ts";
import { ConfigCheckFailedError, HostNotSupportedError } from "./errors.ts";
import type { HostFiles } from "./host-files.ts";
import type { HostPaths } from "./host-paths.ts";
import type { SystemTools } from "./lib/system-tools.ts";

async function checkEffective(paths: HostPaths, tools: SystemTools): Promise<void> {
  const settings = await tools.effectiveSshdConfig(paths.sshdConfig);
  const expected: [string, string][] = [
    ["trustedusercakeys", paths.trustedUserCaKeys],
    ["revokedkeys", paths.revokedKeys],
    ["authorizedprincipalsfile", `${paths.principalsDir}/%u`],
  ];
  for (const [key, value] of expected) {
    const actual = settings.get(key)?.[0];
    if (actual !== value) {
      throw new HostNotSupportedError(
        `sshd's ${key} is ${JSON.stringify(actual ?? "unset")}, not the agent's ${value}: another sshd setting read before the drop-in overrides it`,
      );
    }
  }
}

async function swapAndCheck(
  files: HostFiles,
  paths: HostPaths,
  tools: SystemTools,
  next: { main: Buffer; dropIn: Buffer | undefined },
  verify: boolean,
): Promise<boolean> {
  const oldMain = await files.read(paths.sshdConfig);
  const oldDropIn = await files.read(paths.sshdDropIn);
  if (oldMain === undefined) throw new HostNotSupportedError(`${paths.sshdConfig} does not exist`);
  const mainChanged = !oldMain.equals(next.main);
  const dropInChanged = next.dropIn === undefined ? oldDropIn !== undefined : !oldDropIn?.equals(next.dropIn);
  if (!mainChanged && !dropInChanged) return false;
  const mainOriginal = files.record.originals[paths.sshdConfig];
  const mainMode = mainOriginal?.mode ?? 0o644;
  const owner = { uid: mainOriginal?.uid ?? 0, gid: mainOriginal?.gid ?? 0 };
  if (next.dropIn === undefined) await files.remove(paths.sshdDropIn);
  else await files.write(paths.sshdDropIn, next.dropIn, 0o644);
  if (mainChanged) await files.write(paths.sshdConfig, next.main, mainMode, { owner });
  try {
    await tools.checkSshdConfig(paths.sshdConfig);
    if (verify) await checkEffective(paths, tools);
  } catch (error) {
    await files.write(paths.sshdConfig, oldMain, mainMode, { owner });
    if (oldDropIn === undefined) await files.remove(paths.sshdDropIn);
    else await files.write(paths.sshdDropIn, oldDropIn, 0o644);
    throw error;
  }
  await tools.reloadSshd();
  return true;
}

/** Installs `dropIn`; returns whether sshd was reloaded. */
export async function activateSshd(
  files: HostFiles,
  paths: HostPaths,
  tools: SystemTools,
  dropIn: string,
): Promise<boolean> {
  await files.remember(paths.sshdConfig);
  await files.remember(paths.sshdDropIn);
  const main = (await files.read(paths.sshdConfig))?.toString("utf8");
  if (main === undefined) throw new HostNotSupportedError(`${paths.sshdConfig} does not exist`);
  const next = { main: Buffer.from(addSshdInclude(main, paths)), dropIn: Buffer.from(dropIn) };
  return swapAndCheck(files, paths, tools, next, true);
}

/**
 * Takes the drop-in out and gives sshd_config back its original bytes (or, when someone edited it
 * since, removes only the agent's Include); reloads sshd.
 */
export async function deactivateSshd(
  files: HostFiles,
  paths: HostPaths,
  tools: SystemTools,
): Promise<boolean> {
  const original = files.record.originals[paths.sshdConfig];
  const current = await files.read(paths.sshdConfig);
  if (current === undefined) return false;
  let main = current;
  if (original?.existed && (await files.unchangedSinceWritten(paths.sshdConfig))) {
    main = Buffer.from(original.content ?? "", "base64");
  } else if (original) {
    main = Buffer.from(removeSshdInclude(current.toString("utf8"), paths));
  }
  const dropInOriginal = files.record.originals[paths.sshdDropIn];
  const dropIn = dropInOriginal?.existed ? Buffer.from(dropInOriginal.content ?? "", "base64") : undefined;
  try {
    return await swapAndCheck(files, paths, tools, { main, dropIn }, false);
  } catch (error) {
    if (error instanceof ConfigCheckFailedError) {
      throw new ConfigCheckFailedError(`restoring sshd's configuration: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
