/**
 * Conditional access asked for more than the cached sign-in has (a claims challenge): sign in
 * again in the browser, asking for exactly what is missing, and keep the new refresh token. The
 * CLI re-prompts only then, never by default.
 */

import { HostpassError } from "../../shared/errors.ts";
import { CLI_CLIENT_ID, SIGN_IN_SCOPE } from "../../shared/well-known.ts";
import { updateAccount } from "./accounts.ts";
import { openBrowser } from "./browser.ts";
import type { Session } from "./context.ts";
import { ServiceError } from "./errors.ts";
import { signInWithBrowser } from "./oauth.ts";

/** The requirements of a claims challenge, or undefined when `error` is not one. */
export function challengeOf(error: unknown): readonly string[] | undefined {
  if (!(error instanceof ServiceError) || error.code !== "ERR_INTERACTION_REQUIRED") return undefined;
  const requirements = error.details.requirements;
  return Array.isArray(requirements) ? requirements.map(String) : [];
}

export async function stepUp(
  session: Session,
  requirements: readonly string[],
  io: { env: NodeJS.ProcessEnv; print: (line: string) => void; signal?: AbortSignal },
): Promise<void> {
  io.print(
    `Conditional access requires ${requirements.join(", ") || "a new sign-in"}; sign in again to continue.`,
  );
  const tokens = await signInWithBrowser(await session.connection(), {
    clientId: CLI_CLIENT_ID,
    scope: SIGN_IN_SCOPE,
    print: io.print,
    ...(io.signal ? { signal: io.signal } : {}),
    openBrowser: (url) => openBrowser(url, io.env),
    extraParams: requirements.includes("mfa") ? { acr_values: "mfa" } : {},
  });
  session.account = await updateAccount(session.dir, session.account, {
    ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
    accessTokens: {},
  });
}

/** Conditional access wants a compliant device, which no sign-in can supply. */
export class DeviceComplianceRequiredError extends HostpassError {
  static readonly code = "ERR_DEVICE_NOT_COMPLIANT";
  readonly code = DeviceComplianceRequiredError.code;
  readonly kind = "forbidden";
  constructor() {
    super(
      "Conditional access requires a compliant device: run `hostpass device register` on this machine, then ask an administrator to mark it compliant.",
    );
  }
}
