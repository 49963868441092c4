/**
 * Makes the host's files match a `HostState` (login extension enabled): the file layer of the
 * agent. Order matters: what takes rights away is written before what grants them (principals
 * files of removed users, sudoers, then NSS, then new principals files), and sshd's drop-in last,
 * after every file it names exists.
 */
import { readdir } from "node:fs/promises";
import type { HostState } from "../shared/host-protocol.ts";
import { encodeKrl, type PublicKey, parseCertificateText, parseKrl, publicKeysEqual } from "../ssh/index.ts";
import { EMPTY_RECORD, type HostRecord } from "./agent-store.ts";
import { addMkhomedir, addNssSource } from "./edit-host-config.ts";
import { HostNotSupportedError } from "./errors.ts";
import { checkHomes, checkNoLegacyLogin } from "./host-checks.ts";
import { HostFiles, sha256Hex } from "./host-files.ts";
import type { HostPaths } from "./host-paths.ts";
import { ensureDirectory } from "./lib/safe-fs.ts";
import type { SystemTools } from "./lib/system-tools.ts";
import { chooseGroupIds, readLocalAccounts, readLocalGroups } from "./local-accounts.ts";
import { type GraceStage, type PlannedLogin, planLogins, type RefusedLogin } from "./plan-logins.ts";
import {
  renderGroup,
  renderPasswd,
  renderPrincipals,
  renderShadow,
  renderSshdDropIn,
  renderSudoers,
  renderTrustedCaKeys,
} from "./render-files.ts";
import { activateSshd } from "./sshd-activation.ts";

export interface ApplyInput {
  readonly state: HostState;
  readonly stage: GraceStage;
  /** The KRL fetched for `state.krlSha256`, when the one on disk differs. */
  readonly krl?: Uint8Array;
  /** The host's public host keys (a host certificate is written only for one of them). */
  readonly hostKeys: readonly PublicKey[];
  /** Epoch ms: host certificates outside their validity are not installed. */
  readonly now: number;
}

export interface ApplyResult {
  readonly logins: readonly PlannedLogin[];
  readonly refused: readonly RefusedLogin[];
  /** The KRL on disk is not the state's (not fetched yet, or the fetched one was another). */
  readonly krlPending: boolean;
  /** Why a fetched KRL was not installed (it does not parse, or it is older than the one on disk). */
  readonly krlProblem?: string;
  readonly changed: readonly string[];
  readonly sshdReloaded: boolean;
  readonly record: HostRecord;
}

const HOST_DIRS = (p: HostPaths) => [
  p.hostpassSshDir,
  p.principalsDir,
  p.hostCertificatesDir,
  p.extrausersDir,
  p.sudoersDir,
  p.sshdDropInDir,
];

/** The KRL's version, or -1 when there is no KRL or it does not parse. */
function krlVersion(bytes: Uint8Array | undefined): bigint {
  if (!bytes) return -1n;
  try {
    return parseKrl(bytes).version;
  } catch {
    return -1n;
  }
}

/**
 * Installs the fetched KRL when it parses (sshd refuses every key when RevokedKeys does not) and
 * is not older than the one on disk (no rollback to a KRL that forgot a revocation). The state's
 * sha256 says which KRL to fetch; the service's current KRL may already be a newer one (it is
 * rebuilt as revocations come), which is installed too. Returns whether the state's KRL is still
 * not on disk, and why a fetched one was not installed.
 */
async function writeKrl(
  files: HostFiles,
  paths: HostPaths,
  input: ApplyInput,
): Promise<{ pending: boolean; problem?: string }> {
  const current = await files.read(paths.revokedKeys);
  let problem: string | undefined;
  if (input.krl) {
    const fetched = krlVersion(input.krl);
    if (fetched < 0n) problem = "the KRL fetched does not parse; the one on disk stays";
    else if (files.record.krlApplied && fetched < krlVersion(current))
      problem = `the KRL fetched (version ${fetched}) is older than the one on disk; it stays`;
    else {
      await files.write(paths.revokedKeys, input.krl, 0o644);
      files.update({ krlApplied: true });
    }
  } else if (!current) {
    // sshd needs a readable RevokedKeys file; until the service's KRL arrives no directory login is written.
    await files.write(paths.revokedKeys, encodeKrl({ version: 0n, generatedAt: 0n }), 0o644);
  }
  const onDisk = await files.read(paths.revokedKeys);
  const pending = onDisk === undefined || sha256Hex(onDisk) !== input.state.krlSha256;
  return problem ? { pending, problem } : { pending };
}

async function writeHostCertificates(
  files: HostFiles,
  paths: HostPaths,
  input: ApplyInput,
): Promise<string[]> {
  const wanted = new Map<string, string>();
  for (const text of input.state.hostCertificates) {
    try {
      const cert = parseCertificateText(text);
      const now = BigInt(Math.floor(input.now / 1000));
      if (cert.kind !== "host" || now < cert.validAfter || now >= cert.validBefore) continue;
      if (!input.hostKeys.some((k) => publicKeysEqual(k, cert.key))) continue;
      wanted.set(`${paths.hostCertificatesDir}/${cert.key.type}-cert.pub`, `${text.trim()}\n`);
    } catch {
      // a certificate that does not parse is not installed; the others still are
    }
  }
  for (const name of await readdir(paths.hostCertificatesDir)) {
    const path = `${paths.hostCertificatesDir}/${name}`;
    if (!wanted.has(path)) await files.remove(path);
  }
  for (const [path, text] of wanted) await files.write(path, text, 0o644);
  return [...wanted.keys()].sort();
}

async function syncPrincipals(
  files: HostFiles,
  paths: HostPaths,
  logins: readonly PlannedLogin[],
  add: boolean,
) {
  const wanted = new Map(logins.map((l) => [`${paths.principalsDir}/${l.linuxName}`, renderPrincipals(l)]));
  if (!add) {
    for (const name of await readdir(paths.principalsDir)) {
      const path = `${paths.principalsDir}/${name}`;
      if (!wanted.has(path)) await files.remove(path);
    }
    return;
  }
  for (const [path, text] of wanted) await files.write(path, text, 0o644);
}

/** Temp files of a write that was interrupted (the agent killed mid-write) are removed on the next apply. */
const LEFTOVER_TEMP = /^\..+\.[0-9a-f]{12}\.tmp$/;

async function removeLeftoverTemps(files: HostFiles, paths: HostPaths): Promise<void> {
  for (const dir of HOST_DIRS(paths)) {
    for (const name of await readdir(dir)) if (LEFTOVER_TEMP.test(name)) await files.remove(`${dir}/${name}`);
  }
}

async function editHostFile(files: HostFiles, path: string, edit: (text: string) => string): Promise<void> {
  const original = await files.remember(path);
  const current = (await files.read(path))?.toString("utf8") ?? "";
  const next = edit(current);
  if (next !== current) {
    await files.write(path, next, original.mode ?? 0o644, {
      owner: { uid: original.uid ?? 0, gid: original.gid ?? 0 },
    });
  }
}

/** Where the host record lives: saved once the originals are known (before any change) and at the end. */
export interface HostRecordStore {
  load(): Promise<HostRecord | undefined>;
  save(record: HostRecord): Promise<void>;
}

export async function applyHostState(
  paths: HostPaths,
  tools: SystemTools,
  records: HostRecordStore,
  input: ApplyInput,
): Promise<ApplyResult> {
  await checkNoLegacyLogin(paths);
  const files = new HostFiles(paths.root, (await records.load()) ?? EMPTY_RECORD);
  try {
    return await apply(files, paths, tools, records, input);
  } finally {
    await records.save(files.record);
  }
}

async function apply(
  files: HostFiles,
  paths: HostPaths,
  tools: SystemTools,
  records: HostRecordStore,
  input: ApplyInput,
): Promise<ApplyResult> {
  const [local, localGroups] = await Promise.all([readLocalAccounts(paths), readLocalGroups(paths)]);
  const groups = chooseGroupIds(localGroups, files.record.groups);
  const created = [...files.record.createdDirs];
  for (const dir of HOST_DIRS(paths)) created.push(...(await ensureDirectory(paths.root, dir)));
  files.update({ groups, createdDirs: created });
  await removeLeftoverTemps(files, paths);
  for (const path of [paths.extrausersPasswd, paths.extrausersGroup, paths.extrausersShadow]) {
    const original = await files.remember(path);
    if (original.existed && original.content) {
      throw new HostNotSupportedError(
        `${path} already has entries the agent did not write; it does not take them over`,
      );
    }
  }
  await files.remember(paths.sudoersFile);
  await files.remember(paths.nsswitch);
  await files.remember(paths.pamSshd);
  await records.save(files.record); // the originals are on disk before anything changes
  const { pending: krlPending, problem: krlProblem } = await writeKrl(files, paths, input);
  const plan = planLogins(input.state, local, input.stage);
  const homes = await checkHomes(paths, files.record.krlApplied ? plan.logins : []);
  const logins = homes.logins;
  const shadowGid = localGroups.byName.get("shadow");

  await files.write(paths.trustedUserCaKeys, renderTrustedCaKeys(input.state.userCaKeys), 0o644);
  await syncPrincipals(files, paths, logins, false);
  await files.write(paths.sudoersFile, renderSudoers(logins), 0o440, { check: (t) => tools.checkSudoers(t) });
  await files.write(paths.extrausersGroup, renderGroup(logins, groups), 0o644);
  await files.write(paths.extrausersPasswd, renderPasswd(paths, logins, groups), 0o644);
  await files.write(paths.extrausersShadow, renderShadow(logins), shadowGid === undefined ? 0o600 : 0o640, {
    owner: { uid: 0, gid: shadowGid ?? 0 },
  });
  await syncPrincipals(files, paths, logins, true);
  const hostCertificates = await writeHostCertificates(files, paths, input);
  await editHostFile(files, paths.nsswitch, addNssSource);
  await editHostFile(files, paths.pamSshd, (t) => addMkhomedir(t, paths));
  const sshdReloaded = await activateSshd(files, paths, tools, renderSshdDropIn(paths, hostCertificates));
  return {
    logins,
    refused: [...plan.refused, ...homes.refused],
    krlPending,
    ...(krlProblem ? { krlProblem } : {}),
    changed: files.changed,
    sshdReloaded,
    record: files.record,
  };
}
