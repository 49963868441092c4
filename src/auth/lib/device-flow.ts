/**
 * What RFC 8628 asks of the device flow that oidc-provider 9 does not do by itself:
 *
 * - `interval` in the device authorization response, and `slow_down` (with the interval raised by
 *   5 s for that device code from then on) when a client polls faster (§3.4, §3.5);
 * - a brute-force limit on user-code entry (§5.1): after `maxFailures` wrong codes from one
 *   source address, entry is locked for `lockoutSeconds`.
 *
 * Both wrap the provider's DeviceCode model lookups, which every path goes through, and read the
 * request from oidc-provider's async context (`Provider.ctx`).
 */
import { createHash } from "node:crypto";
import { errors, type KoaContextWithOIDC, Provider } from "oidc-provider";
import type { ThrottleStore } from "../types.ts";

export interface DeviceFlowLimits {
  /** Minimum seconds between polls of one device code (RFC 8628 default: 5). */
  readonly intervalSeconds: number;
  readonly deviceCodeTtlSeconds: number;
  /** Wrong user codes accepted from one source before entry is locked (RFC 8628 §5.1: ~5). */
  readonly maxUserCodeFailures: number;
  readonly lockoutSeconds: number;
}

/** Arrival jitter tolerated between polls, so a client that sleeps exactly `interval` is not punished. */
const POLL_JITTER_MS = 250;
const SLOW_DOWN_STEP_SECONDS = 5;

interface PollState {
  readonly last: number;
  readonly interval: number;
}

function digest(value: string): string {
  return createHash("sha256").update(value).digest("base64url");
}

function parsePollState(text: string | undefined): PollState | undefined {
  if (text === undefined) return undefined;
  const value: unknown = JSON.parse(text);
  if (typeof value !== "object" || value === null) return undefined;
  const { last, interval } = value as Record<string, unknown>;
  return typeof last === "number" && typeof interval === "number" ? { last, interval } : undefined;
}

/** Throws `slow_down` when this device code was polled less than its interval ago. */
async function checkPollRate(throttle: ThrottleStore, limits: DeviceFlowLimits, deviceCode: string) {
  const key = `device-poll:${digest(deviceCode)}`;
  const now = Date.now();
  const state = parsePollState(await throttle.get(key));
  const interval = state?.interval ?? limits.intervalSeconds;
  const tooFast = state !== undefined && now - state.last < interval * 1000 - POLL_JITTER_MS;
  const next: PollState = { last: now, interval: tooFast ? interval + SLOW_DOWN_STEP_SECONDS : interval };
  await throttle.put(key, JSON.stringify(next), limits.deviceCodeTtlSeconds);
  if (tooFast) throw new errors.SlowDown();
}

/**
 * The source address a lockout applies to: `ctx.ip` (honours X-Forwarded-For only with `proxy`),
 * or `sourceIp` when a page outside oidc-provider (the portal) looks the code up for its browser.
 */
function sourceOf(ctx: KoaContextWithOIDC | undefined, options?: Readonly<Record<string, unknown>>): string {
  if (typeof options?.sourceIp === "string" && options.sourceIp !== "") return options.sourceIp;
  return ctx?.ip || "unknown";
}

function lockedError() {
  const err = new errors.OIDCProviderError(429, "temporarily_unavailable");
  err.error_description = "too many wrong codes; try again later";
  return err;
}

export function applyDeviceFlowLimits(
  provider: Provider,
  throttle: ThrottleStore,
  limits: DeviceFlowLimits,
  /** Where users enter codes, when not oidc-provider's own page (the portal's device page). */
  verificationUri?: string,
) {
  const model = provider.DeviceCode;
  const find = model.find.bind(model);
  const findByUserCode = model.findByUserCode?.bind(model);
  if (findByUserCode === undefined) throw new TypeError("DeviceCode.findByUserCode is missing");

  model.find = async (id: string, options?: Readonly<Record<string, unknown>>) => {
    // Only polling (the token endpoint) is rate limited; the user's own steps are not.
    if (Provider.ctx?.oidc?.route === "token" && typeof id === "string") {
      await checkPollRate(throttle, limits, id);
    }
    return find(id, options);
  };

  model.findByUserCode = async (userCode: string, options?: Readonly<Record<string, unknown>>) => {
    const source = digest(sourceOf(Provider.ctx, options));
    const lockKey = `user-code-lock:${source}`;
    const failKey = `user-code-failures:${source}`;
    if ((await throttle.get(lockKey)) !== undefined) throw lockedError();
    const found = await findByUserCode(userCode, options);
    if (found === undefined) {
      const failures = await throttle.increment(failKey, limits.lockoutSeconds);
      if (failures >= limits.maxUserCodeFailures) {
        await throttle.put(lockKey, "1", limits.lockoutSeconds);
      }
    }
    return found;
  };

  // RFC 8628 §3.2: tell the client how often it may poll.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route === "device_authorization" && ctx.status === 200 && isRecord(ctx.body)) {
      ctx.body = { ...ctx.body, interval: limits.intervalSeconds, ...pageOf(ctx.body, verificationUri) };
    }
  });
}

/** The verification URIs pointing at `uri` instead of oidc-provider's page (RFC 8628 §3.3.1). */
function pageOf(body: Record<string, unknown>, uri: string | undefined): Record<string, string> {
  if (uri === undefined || typeof body.user_code !== "string") return {};
  const complete = new URL(uri);
  complete.searchParams.set("code", body.user_code);
  return { verification_uri: uri, verification_uri_complete: complete.href };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
