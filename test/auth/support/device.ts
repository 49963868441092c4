/** The device flow from both sides: the CLI's requests and the user's browser. */
import assert from "node:assert/strict";
import { HOSTPASS_CLI_CLIENT_ID, LINUX_VM_SIGN_IN_RESOURCE } from "../../../src/auth/index.ts";
import type { Browser } from "./browser.ts";
import { type DpopKey, dpopKey } from "./dpop.ts";
import type { Harness } from "./harness.ts";
import { CLI_SCOPE, tokenRequest } from "./oauth.ts";

export const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
export const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startDeviceFlow(
  h: Harness,
  params: Record<string, string> = { scope: CLI_SCOPE, resource: LINUX_VM_SIGN_IN_RESOURCE },
) {
  const result = await tokenRequest(
    h,
    { client_id: HOSTPASS_CLI_CLIENT_ID, ...params },
    { "user-agent": "hostpass-cli/test" },
    "/device/auth",
  );
  assert.equal(result.status, 200, JSON.stringify(result.body));
  return result.body as {
    device_code: string;
    user_code: string;
    interval: number;
    verification_uri: string;
  };
}

/** Polls the token endpoint, with a DPoP proof (Linux VM Sign-In tokens are issued only bound) unless `dpop` is false. */
export const poll = async (h: Harness, deviceCode: string, dpop: DpopKey | false = dpopKey()) =>
  tokenRequest(
    h,
    { grant_type: DEVICE_GRANT, client_id: HOSTPASS_CLI_CLIENT_ID, device_code: deviceCode },
    dpop === false ? {} : { dpop: await dpop.proof(`${h.issuer}/token`) },
  );

export function xsrfOf(html: string): string {
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(xsrf, html);
  return xsrf;
}

/** The user's browser: open the verification page, enter the code; returns the approval page. */
export async function enterCode(
  h: Harness,
  browser: Browser,
  userCode: string,
  headers: Record<string, string> = {},
) {
  const form = await browser.request(`${h.issuer}/device`, { headers });
  return browser.request(`${h.issuer}/device`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams({ xsrf: xsrfOf(await form.text()), user_code: userCode }),
  });
}

export async function approve(h: Harness, browser: Browser, userCode: string, approvalHtml: string) {
  const response = await browser.request(`${h.issuer}/device`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ xsrf: xsrfOf(approvalHtml), user_code: userCode, confirm: "yes" }),
  });
  let location = response.headers.get("location");
  let page = response;
  while (location !== null) {
    page = await browser.request(new URL(location, h.base).href);
    location = page.headers.get("location");
  }
  return page;
}
