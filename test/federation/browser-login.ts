/** `hostpass login` with its sign-in page driven in Chromium (the steps choose how to sign in). */
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
