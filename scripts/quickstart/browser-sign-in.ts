/**
 * `hostpass login` completed by a robot: the CLI's own browser sign-in (authorization code + PKCE,
 * loopback redirect) with Debian's Chromium, headless, typing the user's name and password into
 * the real portal, exactly as a person would. The quickstart signs its administrator and its demo
 * user in this way, because the machine it runs on may have no browser and no desktop.
 */
import { chromium } from "playwright-core";
import { type CliProfile, runCli } from "./run-cli.ts";

const SIGN_IN_URL = /(https:\/\/\S+\/oauth2\/\S+)/;

export async function signInWithBrowser(profile: CliProfile, upn: string, password: string): Promise<void> {
  let url: string | undefined;
  const login = runCli(profile, ["login", "-o", "none"], (stderr) => {
    url ??= SIGN_IN_URL.exec(stderr)?.[1];
  });
  let finished = false;
  void login.finally(() => {
    finished = true;
  });
  const deadline = Date.now() + 60_000;
  while (url === undefined && !finished && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (url === undefined) {
    const result = await login;
    throw new Error(`hostpass login printed no sign-in URL (exit ${result.code}): ${result.stderr.trim()}`);
  }
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-sync",
    ],
  });
  try {
    // The service's certificate is self-signed: the CLI pins it (cloud --ca-file); the robot's
    // browser only ever talks to this service and the CLI's own loopback listener.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(url);
    await page.fill("#username", upn);
    await page.fill("#password", password);
    await Promise.all([
      page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\//, { timeout: 60_000 }),
      page.click("form[action$='/signin/password'] button[type=submit]"),
    ]);
  } finally {
    await browser.close();
  }
  const result = await login;
  if (result.code !== 0)
    throw new Error(`hostpass login failed (exit ${result.code}): ${result.stderr.trim()}`);
}
