/** `hostpass login` with its sign-in page driven in Chromium (the steps choose how to sign in). */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { withBrowserContext } from "../e2e/browser.ts";
import type { CliRun } from "../helpers/cli.ts";
import type { CliServer } from "../helpers/cli-server.ts";

export async function cliLoginInBrowser(
  s: CliServer,
  browser: Browser,
  steps: (page: Page) => Promise<void>,
): Promise<CliRun> {
  let opened = false;
  let signIn: Promise<unknown> = Promise.resolve();
  const login = await s.cli(["login"], (err) => {
    const url = /(https:\/\/\S+\/oauth2\/\S+)/.exec(err)?.[1];
    if (!url || opened) return;
    opened = true;
    signIn = withBrowserContext(browser, (open) => open(steps)(url));
  });
  await signIn;
  return login;
}

/** `hostpass ssh cert` for a new Ed25519 key in the CLI user's HOME: `ssh-keygen -L` of it. */
export async function certificateOf(s: CliServer, keyName: string): Promise<string> {
  const key = join(s.home, keyName);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
  const cert = await s.cli(["ssh", "cert", "--file", `${key}-cert.pub`, "--public-key-file", `${key}.pub`]);
  assert.equal(cert.code, 0, cert.err);
  return execFileSync("ssh-keygen", ["-L", "-f", `${key}-cert.pub`]).toString();
}
