/**
 * A small, deterministic sign-in risk scorer over history the caller loads (the sign-in log).
 * Same input, same answer: no clock, no randomness, no outside feed.
 *
 * Facts, all relative to `attempt.time` (history after it is ignored):
 * - failures: this principal's failed attempts in the last `failureWindowSeconds` (15 min).
 * - familiar: this principal signed in successfully from the same address within the last
 *   `familiarWindowSeconds` (90 days). IPv4 compares the whole address; IPv6 compares the /64,
 *   because clients rotate the low 64 bits (privacy addresses). Mapped IPv4 counts as IPv4.
 * - baseline: the principal has any successful sign-in in that window.
 * - spray: failed attempts from this address against at least `sprayPrincipals` (5) distinct
 *   principals in the failure window.
 *
 * Level, first rule that matches:
 *   unfamiliar and failures >= 10                 -> high
 *   unfamiliar and failures >= 3                  -> medium
 *   unfamiliar and a baseline exists              -> low
 *   familiar and failures >= 10                   -> low
 *   otherwise                                     -> none
 * then a spray raises the level by one step (none -> low ... high stays high).
 */
import { InvalidSignInContextError } from "./errors.ts";
import { normId } from "./lib/checks.ts";
import { type IpAddress, parseIp } from "./lib/ip.ts";
import { RISK_LEVELS, type RiskLevel } from "./types.ts";

export interface SignInHistoryEntry {
  readonly principalId: string;
  readonly ip: string;
  readonly time: Date;
  readonly success: boolean;
}

export interface SignInAttempt {
  readonly principalId: string;
  readonly ip: string;
  readonly time: Date;
}

export interface AssessSignInRiskOptions {
  readonly failureWindowSeconds?: number;
  readonly familiarWindowSeconds?: number;
  readonly mediumFailures?: number;
  readonly highFailures?: number;
  readonly sprayPrincipals?: number;
}

export const RISK_REASONS = ["unfamiliarIp", "recentFailures", "passwordSpray"] as const;
export type RiskReason = (typeof RISK_REASONS)[number];

export interface SignInRisk {
  readonly level: RiskLevel;
  readonly reasons: readonly RiskReason[];
  readonly recentFailures: number;
  readonly familiarIp: boolean;
}

function sameNetwork(a: IpAddress, b: IpAddress): boolean {
  if (a.family !== b.family) return false;
  return a.family === 4 ? a.value === b.value : a.value >> 64n === b.value >> 64n;
}

export function assessSignInRisk(
  history: readonly SignInHistoryEntry[],
  attempt: SignInAttempt,
  options: AssessSignInRiskOptions = {},
): SignInRisk {
  const ip = parseIp(attempt.ip);
  if (ip === undefined) throw new InvalidSignInContextError("the client address is not an IP address");
  const t = attempt.time.getTime();
  if (Number.isNaN(t)) throw new InvalidSignInContextError("the attempt time is not a valid time");
  const failSince = t - (options.failureWindowSeconds ?? 900) * 1000;
  const familiarSince = t - (options.familiarWindowSeconds ?? 90 * 86400) * 1000;
  const who = normId(attempt.principalId);

  let failures = 0;
  let baseline = false;
  let familiar = false;
  const sprayed = new Set<string>();
  for (const h of history) {
    const ht = h.time.getTime();
    if (!(ht <= t)) continue; // later entries and invalid times never count
    const mine = normId(h.principalId) === who;
    if (!h.success && ht > failSince) {
      if (mine) failures++;
      const hip = parseIp(h.ip);
      if (hip && hip.family === ip.family && hip.value === ip.value) sprayed.add(normId(h.principalId));
    }
    if (mine && h.success && ht > familiarSince) {
      baseline = true;
      if (!familiar) {
        const hip = parseIp(h.ip);
        familiar = hip !== undefined && sameNetwork(hip, ip);
      }
    }
  }

  const high = options.highFailures ?? 10;
  const medium = options.mediumFailures ?? 3;
  let level: RiskLevel = "none";
  if (!familiar && failures >= high) level = "high";
  else if (!familiar && failures >= medium) level = "medium";
  else if (!familiar && baseline) level = "low";
  else if (familiar && failures >= high) level = "low";
  const spray = sprayed.size >= (options.sprayPrincipals ?? 5);
  if (spray) level = RISK_LEVELS[Math.min(RISK_LEVELS.indexOf(level) + 1, RISK_LEVELS.length - 1)] ?? "high";

  const reasons: RiskReason[] = [];
  if (!familiar && (baseline || failures >= medium)) reasons.push("unfamiliarIp");
  if (failures >= medium) reasons.push("recentFailures");
  if (spray) reasons.push("passwordSpray");
  return { level, reasons, recentFailures: failures, familiarIp: familiar };
}
