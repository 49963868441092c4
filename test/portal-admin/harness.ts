/**
 * The administration portal's browser tests run against a real `hostpass server` (HTTPS with its
 * self-signed certificate, SQLite in a temporary data directory, 127.0.0.1 port 0) in Debian's
 * Chromium. Every page a test visits is checked the same way: the CSP header and no inline
 * script or style (`auditPages`), axe-core's accessibility rules (no serious or critical
 * violation), and a screenshot saved under test-output/portal/ for review.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { type RunningServer, startServer } from "../../src/server/index.ts";
import { typePassword } from "../e2e/browser.ts";
import { assertClean, auditPages, type PageAudit } from "../portal/helpers/chromium.ts";
import { type IsolatedChromium, launchIsolatedChromium } from "./isolated-chromium.ts";

export const ADMIN_UPN = "admin@hostpass.local";
export const ADMIN_PASSWORD = "admin password for the portal tests";
export const SCREENSHOTS = join(import.meta.dirname, "..", "..", "test-output", "portal");

const AXE_SOURCE = readFileSync(new URL(import.meta.resolve("axe-core/axe.min.js")), "utf8");

export interface Harness {
  readonly running: RunningServer;
  readonly browser: Browser;
  readonly url: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly clock?: () => number;
  /** `null`: let the server generate the first administrator's one-time password. */
  readonly adminPassword?: string | null;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), "hostpass-portal-"));
  let running: RunningServer | undefined;
  let isolated: IsolatedChromium | undefined;
  try {
    running = await startServer({
      dataDir,
      listen: "127.0.0.1:0",
      ...(options.adminPassword === null ? {} : { adminPassword: options.adminPassword ?? ADMIN_PASSWORD }),
      logLevel: "silent",
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
    isolated = await launchIsolatedChromium(Number(new URL(running.url).port));
    await mkdir(SCREENSHOTS, { recursive: true });
  } catch (error) {
    await isolated?.close();
    await running?.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const started = running;
  const chromium = isolated;
  return {
    running: started,
    browser: chromium.browser,
    url: started.url,
    async close() {
      await chromium.close();
      await started.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The portal's isolated Chromium for a server started elsewhere (e.g. `startCliServer` with local
 * machines): the portal is browsed at the server's public URL (the one its sign-in redirects to),
 * which Chromium's namespace carries to the server's loopback address; `close` closes Chromium only.
 */
export async function harnessFor(running: RunningServer): Promise<Harness> {
  const isolated = await launchIsolatedChromium(Number(new URL(running.url).port), running.publicUrl);
  await mkdir(SCREENSHOTS, { recursive: true });
  return { running, browser: isolated.browser, url: running.publicUrl, close: () => isolated.close() };
}

/** A browser with its own cookies, every document audited; `close` asserts the audit is clean. */
export interface PortalBrowser {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly audit: PageAudit;
  close(): Promise<void>;
}

export async function openPortal(harness: Harness): Promise<PortalBrowser> {
  const context = await harness.browser.newContext({ ignoreHTTPSErrors: true });
  // Generous: a machine shared by several test runs can be slow (scrypt, Chromium), not wrong.
  context.setDefaultTimeout(120_000);
  context.setDefaultNavigationTimeout(120_000);
  const page = await context.newPage();
  const audit = auditPages(page, harness.url);
  return {
    context,
    page,
    audit,
    async close() {
      await context.close();
      assertClean(audit);
    },
  };
}

/** Opens the portal's home and signs in with a password (and TOTP when `code` is given). */
export async function signIn(
  harness: Harness,
  page: Page,
  upn: string,
  password: string,
  code?: () => string,
): Promise<void> {
  await page.goto(`${harness.url}/`);
  assert.match(page.url(), /\/portal\/interaction\//, "the home page sends a new browser to sign in");
  await typePassword(page, upn, password);
  if (code !== undefined) {
    await page.fill("#code", code());
    await Promise.all([page.waitForNavigation(), page.click("form[action$='/signin/totp'] button")]);
  }
  await page.waitForURL(/\/portal\/$/);
}

/**
 * axe-core's rules on the current page (injected through the DevTools protocol, which the page's
 * CSP does not govern) and a full-page screenshot named `name`.
 */
export async function checkPage(page: Page, name: string): Promise<void> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: Violation[] }> } }).axe;
    const result = await axe.run();
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  assert.deepEqual(violations, [], `accessibility of ${name}`);
}

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** A browser signed in to the portal as the first administrator. */
export async function openAdminPortal(harness: Harness): Promise<PortalBrowser> {
  const portal = await openPortal(harness);
  await signIn(harness, portal.page, ADMIN_UPN, ADMIN_PASSWORD);
  return portal;
}

/** The notice the last form left on the page it redirected to. */
export async function noticeOn(page: Page): Promise<string> {
  return (await page.textContent(".notices")) ?? "";
}
