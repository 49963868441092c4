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

/** An authorization request as the CLI makes it, plus `extra` (the redirect is never reached). */
export function authorizeUrl(endpoint: string, clientId: string, extra: Record<string, string>): string {
  const url = new URL(endpoint);
  const params = {
    client_id: clientId,
    response_type: "code",
    redirect_uri: "http://127.0.0.1:9/callback",
    scope: "openid profile offline_access",
    code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    code_challenge_method: "S256",
    ...extra,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.href;
}

/**
 * Runs a real CLI command that signs in (`hostpass login`): the CLI prints the sign-in URL on
 * stderr (HOSTPASS_NO_BROWSER), and Chromium completes the sign-in there with a password.
 */
export async function cliBrowserSignIn<R extends { code: number; out: string; err: string }>(
  browser: Browser,
  run: (onStderr: (text: string) => void) => Promise<R>,
  upn: string,
  password: string,
): Promise<R> {
  let signIn: Promise<void> | undefined;
  const result = await run((err) => {
    const url = /(https:\/\/\S+\/oauth2\/\S+)/.exec(err)?.[1];
    if (!url || signIn) return;
    signIn = withBrowserContext(browser, (open) =>
      open(async (page) => {
        await typePassword(page, upn, password);
        await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
      })(url).then(() => undefined),
    );
  });
  await signIn;
  return result;
}
