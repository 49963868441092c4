/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser), and the checks every
 * browser test makes on every document it loads: the CSP header and no inline script or style.
 */
import assert from "node:assert/strict";
import { type Browser, chromium, type Page } from "playwright-core";
import { CONTENT_SECURITY_POLICY } from "../../../src/portal/index.ts";

/** `executablePath`/`env`: a wrapper that runs Debian's Chromium differently (isolated-chromium.ts). */
export async function launchChromium(
  options: { readonly executablePath?: string; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<Browser> {
  return chromium.launch({
    executablePath: options.executablePath ?? "/usr/bin/chromium",
    ...(options.env === undefined ? {} : { env: options.env }),
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export interface PageAudit {
  /** Portal documents seen (URL paths). */
  readonly documents: string[];
  /** CSP violations the page reported (there must be none). */
  readonly violations: string[];
  readonly problems: string[];
}

/** Watches every portal document: CSP header, no inline script/style, and CSP violations. */
export function auditPages(page: Page, origin: string): PageAudit {
  const audit: PageAudit = { documents: [], violations: [], problems: [] };
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) audit.violations.push(message.text());
  });
  page.on("response", async (response) => {
    const url = new URL(response.url());
    if (response.request().resourceType() !== "document" || !response.url().startsWith(origin)) return;
    if (url.pathname.startsWith("/test-client/") || (response.status() >= 300 && response.status() < 400))
      return;
    audit.documents.push(url.pathname);
    const headers = response.headers();
    if (headers["content-security-policy"] !== CONTENT_SECURITY_POLICY)
      audit.problems.push(`${url.pathname}: CSP`);
    const body = await response.text().catch(() => "");
    if (/<script(?![^>]*\ssrc=)|<style|\sstyle=|\son[a-z]+=/i.test(body))
      audit.problems.push(`${url.pathname}: inline`);
  });
  return audit;
}

export function assertClean(audit: PageAudit): void {
  assert.ok(audit.documents.length > 0, "some portal pages were checked");
  assert.deepEqual(audit.problems, []);
  assert.deepEqual(audit.violations, []);
}

/** Submits a form by its button, waiting for the navigation it causes. */
export async function submit(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}
