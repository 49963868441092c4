/** Driving the real portal in Chromium as the CLI's `openBrowser` would open it. */
import type { Browser, Page } from "playwright-core";
import { submit } from "../portal/helpers/chromium.ts";

/** Makes an `openBrowser` for the CLI that opens the URL in a page and runs `steps` there. */
export type OpenWith = (steps: (page: Page) => Promise<void>) => (url: string) => Promise<boolean>;

/** Runs `run` with a fresh browser context (own cookies), closing it afterwards. */
export async function withBrowserContext<T>(
  browser: Browser,
  run: (open: OpenWith) => Promise<T>,
): Promise<T> {
  // The server's certificate is self-signed; the CLI side pins it through `caFile` instead.
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    return await run((steps) => async (url) => {
      const page = await context.newPage();
      await page.goto(url);
      await steps(page);
      return true;
    });
  } finally {
    await context.close();
  }
}

export async function typePassword(page: Page, upn: string, password: string): Promise<void> {
  await page.fill("#username", upn);
  await page.fill("#password", password);
  await submit(page, "form[action$='/signin/password'] button[type=submit]");
}
