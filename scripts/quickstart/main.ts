/**
 * `bash scripts/quickstart.sh` (the README's first command), after scripts/setup.sh: the service in
 * the background on SQLite with the local machine provider, the seed's demo made or reused
 * (demo.ts), and the one command to run next. `--stop` stops the service and its machines (the
 * next run starts them again); `--remove --yes` removes everything the quickstart made.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Command, Option } from "commander";
import { LocalMachineProvider } from "../../src/localvm/index.ts";
import { DEFAULT_ADMIN_UPN } from "../../src/server/bootstrap.ts";
import { CLOUD, defaultUserConfig, GROUP, makeDemo, VM } from "./demo.ts";
import { HOSTPASS, type QuickstartPaths, quickstartPaths } from "./paths.ts";
import { runCli } from "./run-cli.ts";
import { ensureService, stopService } from "./service.ts";

interface Options {
  readonly dataDir: string;
  readonly port: string;
  readonly stop?: boolean;
  readonly remove?: boolean;
  readonly yes?: boolean;
}

const log = (line: string) => process.stderr.write(`quickstart: ${line}\n`);

const program = new Command("quickstart.sh")
  .description(
    "Run hostpass on this machine and walk the seed's demo: a service, a machine, a user, a shell.",
  )
  .option("--data-dir <dir>", "the service's data directory", "/var/lib/hostpass")
  .option("--port <port>", "the service's port (loopback, and on the machines' gateway 10.213.255.1)", "8443")
  .option("--stop", "stop the service and its machines (run the quickstart again to start them)")
  .addOption(new Option("--remove", "remove everything the quickstart made (with --yes)").conflicts("stop"))
  .option("--yes", "do not ask before --remove")
  .addHelpText(
    "after",
    "\nExamples:\n  bash scripts/quickstart.sh\n  bash scripts/quickstart.sh --stop\n  bash scripts/quickstart.sh --remove --yes\n",
  )
  .action(async (options: Options) => {
    const paths = quickstartPaths(options.dataDir);
    if (options.stop) return stop(paths);
    if (options.remove) return remove(paths, options.yes === true);
    return up(paths, Number(options.port));
  });

async function up(paths: QuickstartPaths, port: number): Promise<void> {
  const service = await ensureService(paths, port);
  log(
    service.started
      ? `service started (pid ${service.pid}) at ${service.publicUrl}`
      : `service running at ${service.publicUrl}`,
  );
  const adminUpn = await adminUpnOf(paths);
  const demo = await makeDemo({
    paths,
    publicUrl: service.publicUrl,
    userConfig: defaultUserConfig(),
    adminUpn,
    log,
  });
  process.stdout.write(
    [
      "",
      `hostpass is running at ${service.publicUrl} (log: ${paths.log}).`,
      `${VM} (${demo.vmId}) runs on this host at ${demo.address}, with login by directory identity.`,
      `You are signed in as ${demo.demoUpn}, who holds Virtual Machine Administrator Login on ${VM}.`,
      "",
      "Next, a shell on the machine as that user (then try `sudo -n true`):",
      "",
      `  ${HOSTPASS} ssh vm -n ${VM} -g ${GROUP}`,
      "",
      `Administrator: ${adminUpn}, password in ${paths.adminPassword} (portal: ${service.publicUrl}/portal/).`,
      "Stop the service and its machines:  bash scripts/quickstart.sh --stop",
      "Remove everything it made:          bash scripts/quickstart.sh --remove --yes",
      "",
    ].join("\n"),
  );
}

async function stop(paths: QuickstartPaths): Promise<void> {
  log((await stopService(paths)) ? "service stopped" : "the service was not running");
  const provider = await openProvider(paths);
  if (!provider) return;
  for (const state of await provider.list()) {
    await (await provider.get(state.id))?.stop();
    log(`machine ${state.hostname} stopped`);
  }
}

async function remove(paths: QuickstartPaths, yes: boolean): Promise<void> {
  if (!yes) {
    throw new Error(
      `this removes the service's data directory ${paths.dataDir} and every machine in it; run again with --yes`,
    );
  }
  await stopService(paths);
  const provider = await openProvider(paths);
  if (provider) {
    await provider.destroyAll();
    log("machines and their network removed");
  }
  // Your CLI profile: the demo user's session and the quickstart cloud go; `local` is active again.
  const user = { configDir: defaultUserConfig() };
  await runCli(user, ["logout", "-o", "none"]);
  await runCli(user, ["cloud", "set", "-n", "local", "-o", "none"]);
  await runCli(user, ["cloud", "unregister", "-n", CLOUD, "--yes", "-o", "none"]);
  await rm(paths.dataDir, { recursive: true, force: true });
  log(`${paths.dataDir} removed`);
  log(
    "left in place, as scripts/setup.sh made them for every hostpass on this host: its Debian and npm packages, and the machines' gateway link (remove it with: ip link del hostpass-gw)",
  );
}

/** The provider of the quickstart's machines, if it ever made any. */
async function openProvider(paths: QuickstartPaths): Promise<LocalMachineProvider | undefined> {
  const made = await readFile(join(paths.machines, "network.json"), "utf8").then(
    () => true,
    () => false,
  );
  return made ? LocalMachineProvider.open(paths.machines) : undefined;
}

/** The first administrator, as the service printed it at its first start (kept for later runs). */
async function adminUpnOf(paths: QuickstartPaths): Promise<string> {
  const file = join(paths.dir, "admin-upn");
  const saved = (await readFile(file, "utf8").catch(() => "")).trim();
  if (saved !== "") return saved;
  const printed = /^first administrator: (\S+)/m.exec(await readFile(paths.log, "utf8"))?.[1];
  const upn = printed ?? DEFAULT_ADMIN_UPN;
  await writeFile(file, `${upn}\n`, { mode: 0o600 });
  return upn;
}

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`quickstart: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
