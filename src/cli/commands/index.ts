/**
 * Every command of the CLI: its words and where its file is. main.ts loads only the file of the
 * command being run (start-up time matters for `hostpass ssh vm`); help and completion load all.
 * One file per verb: `commands/<group>/<verb>.ts` (nested groups nest folders).
 */
import type { CliCommand } from "../command.ts";

export interface CommandEntry {
  readonly path: readonly string[];
  readonly load: () => Promise<CliCommand<never>>;
}

/** Descriptions of command groups (the words before a verb). */
export const GROUPS: Readonly<Record<string, string>> = {
  account: "Manage the signed-in accounts.",
  audit: "Operator checks of the activity log.",
  cloud: "Manage cloud profiles: the hostpass services this CLI can talk to.",
  device: "This machine's device identity, for conditional access.",
  ssh: "SSH into Linux machines with short-lived certificates.",
};

const entry = <M>(
  path: string,
  load: () => Promise<M>,
  pick: (module: M) => CliCommand<never>,
): CommandEntry => ({ path: path.split(" "), load: async () => pick(await load()) });

export const COMMANDS: readonly CommandEntry[] = [
  entry(
    "server",
    () => import("./server.ts"),
    (m) => m.serverCommand,
  ),
  entry(
    "login",
    () => import("./login.ts"),
    (m) => m.loginCommand,
  ),
  entry(
    "logout",
    () => import("./logout.ts"),
    (m) => m.logoutCommand,
  ),
  entry(
    "account show",
    () => import("./account/show.ts"),
    (m) => m.accountShowCommand,
  ),
  entry(
    "account list",
    () => import("./account/list.ts"),
    (m) => m.accountListCommand,
  ),
  entry(
    "account set",
    () => import("./account/set.ts"),
    (m) => m.accountSetCommand,
  ),
  entry(
    "cloud register",
    () => import("./cloud/register.ts"),
    (m) => m.cloudRegisterCommand,
  ),
  entry(
    "cloud set",
    () => import("./cloud/set.ts"),
    (m) => m.cloudSetCommand,
  ),
  entry(
    "cloud list",
    () => import("./cloud/list.ts"),
    (m) => m.cloudListCommand,
  ),
  entry(
    "cloud show",
    () => import("./cloud/show.ts"),
    (m) => m.cloudShowCommand,
  ),
  entry(
    "cloud unregister",
    () => import("./cloud/unregister.ts"),
    (m) => m.cloudUnregisterCommand,
  ),
  entry(
    "device register",
    () => import("./device/register.ts"),
    (m) => m.deviceRegisterCommand,
  ),
  entry(
    "device show",
    () => import("./device/show.ts"),
    (m) => m.deviceShowCommand,
  ),
  entry(
    "ssh cert",
    () => import("./ssh/cert.ts"),
    (m) => m.sshCertCommand,
  ),
  entry(
    "audit verify",
    () => import("./audit/verify.ts"),
    (m) => m.auditVerifyCommand,
  ),
];
