/**
 * The seed's demo, made through the real CLI and reused when a previous run made it: a cloud
 * profile for this service, the administrator signed in (its own profile), the resource group
 * `LinuxVMs`, the machine `myVM` with a managed identity and directory login, a demo user with
 * Virtual Machine Administrator Login on it, and you signed in as that user.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { signInWithBrowser } from "./browser-sign-in.ts";
import type { QuickstartPaths } from "./paths.ts";
import { type CliProfile, cliFind, cliJson, runCli } from "./run-cli.ts";

export const CLOUD = "quickstart";
export const GROUP = "LinuxVMs";
export const VM = "myVM";
const ADMIN_ROLE = "Virtual Machine Administrator Login";

export interface DemoOptions {
  readonly paths: QuickstartPaths;
  readonly publicUrl: string;
  /** Your CLI profile (default `~/.hostpass`): where the demo user is signed in. */
  readonly userConfig: string;
  readonly adminUpn: string;
  readonly log: (line: string) => void;
}

export interface Demo {
  readonly vmId: string;
  readonly address: string;
  readonly demoUpn: string;
}

export async function makeDemo(options: DemoOptions): Promise<Demo> {
  const { paths, log } = options;
  const admin: CliProfile = { configDir: paths.adminConfig, home: paths.adminHome };
  const user: CliProfile = { configDir: options.userConfig };
  await mkdir(paths.adminHome, { recursive: true, mode: 0o700 });
  for (const profile of [admin, user]) await useCloud(profile, options.publicUrl, paths.certificate);

  const adminPassword = (await readFile(paths.adminPassword, "utf8")).trim();
  await ensureSignedIn(admin, options.adminUpn, adminPassword, log);
  if (!(await cliFind(admin, ["group", "show", "-n", GROUP]))) {
    log(`creating the resource group ${GROUP}`);
    await cliJson(admin, ["group", "create", "-n", GROUP, "-l", "local"]);
  }
  const demo = await demoUser(paths, options.adminUpn);
  if (!(await cliFind(admin, ["ad", "user", "show", "--id", demo.upn]))) {
    log(`creating the demo user ${demo.upn}`);
    await cliJson(admin, [
      "ad",
      "user",
      "create",
      "--display-name",
      "Demo User",
      "--user-principal-name",
      demo.upn,
      "--password",
      demo.password,
    ]);
  }
  let vm = await cliFind<{ id: string; privateIps?: string }>(admin, ["vm", "show", "-g", GROUP, "-n", VM]);
  if (!vm) {
    log(`creating the machine ${VM} (a local machine on this host)`);
    await cliJson(admin, [
      "vm",
      "create",
      "-g",
      GROUP,
      "-n",
      VM,
      "--image",
      "debian-12",
      "--assign-identity",
      "--admin-username",
      "localadmin",
      "--generate-ssh-keys",
    ]);
    vm = await cliJson<{ id: string; privateIps?: string }>(admin, ["vm", "show", "-g", GROUP, "-n", VM]);
  }
  log(`enabling login with directory identity on ${VM} (AADSSHLoginForLinux)`);
  await cliJson(admin, [
    "vm",
    "extension",
    "set",
    "--publisher",
    "Microsoft.Azure.ActiveDirectory",
    "--name",
    "AADSSHLoginForLinux",
    "-g",
    GROUP,
    "--vm-name",
    VM,
  ]);
  const assigned = await cliJson<unknown[]>(admin, [
    "role",
    "assignment",
    "list",
    "--scope",
    vm.id,
    "--assignee",
    demo.upn,
    "--role",
    ADMIN_ROLE,
  ]);
  if (assigned.length === 0) {
    log(`assigning ${ADMIN_ROLE} on ${VM} to ${demo.upn}`);
    await cliJson(admin, [
      "role",
      "assignment",
      "create",
      "--role",
      ADMIN_ROLE,
      "--assignee",
      demo.upn,
      "--scope",
      vm.id,
    ]);
  }
  await ensureSignedIn(user, demo.upn, demo.password, log);
  return { vmId: vm.id, address: vm.privateIps ?? "", demoUpn: demo.upn };
}

/** Registers (or corrects) the `quickstart` cloud for this service and makes it the active one. */
async function useCloud(profile: CliProfile, endpoint: string, caFile: string): Promise<void> {
  const shown = await cliFind<{ endpoint?: string }>(profile, ["cloud", "show", "-n", CLOUD]);
  if (shown && shown.endpoint?.replace(/\/$/, "") !== endpoint)
    await cliJson(profile, ["cloud", "unregister", "-n", CLOUD, "--yes"]);
  if (!shown || shown.endpoint?.replace(/\/$/, "") !== endpoint) {
    await cliJson(profile, ["cloud", "register", "-n", CLOUD, "--endpoint", endpoint, "--ca-file", caFile]);
  }
  await cliJson(profile, ["cloud", "set", "-n", CLOUD]);
}

/** Signs `upn` in unless that profile already has a usable session as `upn`. */
async function ensureSignedIn(
  profile: CliProfile,
  upn: string,
  password: string,
  log: (line: string) => void,
): Promise<void> {
  const account = await runCli(profile, ["account", "show", "--query", "user.name", "-o", "tsv"]);
  if (account.code === 0 && account.stdout.trim().toLowerCase() === upn.toLowerCase()) return;
  log(`signing ${upn} in (the CLI's browser sign-in, completed by headless Chromium)`);
  await signInWithBrowser(profile, upn, password);
}

/** The demo user: `demo@<the administrator's domain>` with a password made by the first run. */
async function demoUser(
  paths: QuickstartPaths,
  adminUpn: string,
): Promise<{ upn: string; password: string }> {
  const saved = await readFile(paths.demoUser, "utf8").then(
    (text) => JSON.parse(text) as { upn: string; password: string },
    () => undefined,
  );
  if (saved) return saved;
  const made = {
    upn: `demo@${adminUpn.split("@")[1] ?? "hostpass.local"}`,
    password: randomBytes(18).toString("base64url"),
  };
  await writeFile(paths.demoUser, `${JSON.stringify(made)}\n`, { mode: 0o600, flag: "wx" });
  return made;
}

export function defaultUserConfig(): string {
  return process.env.HOSTPASS_CONFIG_DIR || join(homedir(), ".hostpass");
}
