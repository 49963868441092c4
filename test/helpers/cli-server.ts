/**
 * A real `hostpass server` (HTTPS on 127.0.0.1 port 0, its own data directory) and the real CLI
 * pointed at it with its own HOME and config directory, signing in through the portal in Debian's
 * Chromium. For CLI tests that need a signed-in user.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { type RunningServer, type StartServerOptions, startServer } from "../../src/server/index.ts";
import { typePassword, withBrowserContext } from "../e2e/browser.ts";
import { launchChromium } from "../portal/helpers/chromium.ts";
import { type CliRun, runCliCaptured } from "./cli.ts";

export const ADMIN_UPN = "admin@hostpass.local";
export const ADMIN_PASSWORD = "admin password for cli tests";

/** One person at the CLI: their own HOME and config directory, the server's cloud registered and set. */
export interface CliUser {
  /** The CLI user's HOME (its ~/.ssh and ~/.hostpass live here, never the real ones). */
  readonly home: string;
  /** The environment the CLI runs with. */
  readonly env: NodeJS.ProcessEnv;
  cli(args: string[], onStderr?: (text: string) => void): Promise<CliRun>;
  /** `hostpass login` (or another signing-in command) completed in Chromium with a password. */
  signIn(upn: string, password: string, args?: string[]): Promise<CliRun>;
}

export interface CliServer extends CliUser {
  readonly running: RunningServer;
  readonly dataDir: string;
  readonly caFile: string;
  /** Another person at the same server (e.g. a user beside the administrator). */
  user(): Promise<CliUser>;
  close(): Promise<void>;
}

export async function startCliServer(options: Partial<StartServerOptions> = {}): Promise<CliServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "hostpass-cli-server-"));
  const homes: string[] = [];
  const running = await startServer({
    dataDir,
    listen: "127.0.0.1:0",
    adminPassword: ADMIN_PASSWORD,
    logLevel: "silent",
    ...options,
  });
  const caFile = join(dataDir, "tls", "server-cert.pem");
  let browser: Browser | undefined;

  async function user(): Promise<CliUser> {
    const home = await mkdtemp(join(tmpdir(), "hostpass-cli-home-"));
    homes.push(home);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: home,
      HOSTPASS_CONFIG_DIR: join(home, ".hostpass"),
      HOSTPASS_NO_BROWSER: "1",
    };
    const cli = (args: string[], onStderr?: (text: string) => void) => runCliCaptured(args, env, onStderr);
    const registered = await cli([
      "cloud",
      "register",
      "-n",
      "test",
      "--endpoint",
      running.publicUrl, // the listening URL, or with local machines their gateway's relay
      "--ca-file",
      caFile,
    ]);
    if (registered.code !== 0) throw new Error(registered.err);
    await cli(["cloud", "set", "-n", "test"]);
    return {
      home,
      env,
      cli,
      async signIn(upn, password, args = ["login"]) {
        browser ??= await launchChromium();
        const chromium = browser;
        let opened = false;
        let signIn: Promise<void> = Promise.resolve();
        const result = await cli(args, (err) => {
          const url = /(https:\/\/\S+\/oauth2\/\S+)/.exec(err)?.[1];
          if (!url || opened) return;
          opened = true;
          signIn = withBrowserContext(chromium, async (open) => {
            await open(async (page) => {
              await typePassword(page, upn, password);
              await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
            })(url);
          });
        });
        await signIn;
        return result;
      },
    };
  }

  const first = await user();
  return {
    ...first,
    running,
    dataDir,
    caFile,
    user,
    async close() {
      await browser?.close();
      await running.close();
      await running.localMachines?.provider.destroyAll();
      await rm(dataDir, { recursive: true, force: true });
      for (const home of homes) await rm(home, { recursive: true, force: true });
    },
  };
}
