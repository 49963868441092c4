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
 * stderr (HOSTPASS_NO_BROWSER), and Chromium completes the sign-in there with a password. A
 * browser failure fails the run at once instead of leaving the CLI waiting for its callback.
 */
export async function cliBrowserSignIn<R extends { code: number; out: string; err: string }>(
  browser: Browser,
  run: (onStderr: (text: string) => void) => Promise<R>,
  upn: string,
  password: string,
): Promise<R> {
  let started = false;
  let failed: (error: unknown) => void = () => undefined;
  const browserFailed = new Promise<never>((_, reject) => {
    failed = reject;
  });
  const signIn = (url: string) =>
    withBrowserContext(browser, (open) =>
      open(async (page) => {
        await typePassword(page, upn, password);
        await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
      })(url),
    );
  const result = run((err) => {
    const url = /(https:\/\/\S+\/oauth2\/\S+)/.exec(err)?.[1];
    if (!url || started) return;
    started = true;
    retryOnNetworkChange(() => signIn(url)).catch(failed);
  });
  return Promise.race([result, browserFailed]);
}

/**
 * Chromium aborts a navigation with net::ERR_NETWORK_CHANGED when the host's interfaces change,
 * which other tests do (local machines add bridges and veths). The sign-in page is simply loaded
 * again then; any other failure is final.
 */
async function retryOnNetworkChange<T>(attempt: () => Promise<T>, tries = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= tries || !/ERR_NETWORK_CHANGED/.test(String(error))) throw error;
    }
  }
}
