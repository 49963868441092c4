/**
 * The documented rule for an unreachable service (docs/design-host-agent.md): the files stay as
 * last written, so principals who had access keep it with certificates that are still valid;
 * after `grace.adminSeconds` without contact sudo is taken away, after `grace.allSeconds` every
 * directory login (fail closed). A break-glass local account is never affected. Contact again
 * restores the service's state.
 */
import type { GraceRule } from "../shared/host-protocol.ts";
import type { GraceStage } from "./plan-logins.ts";

export function graceStage(rule: GraceRule, lastContact: number, now: number): GraceStage {
  const silentSeconds = (now - lastContact) / 1000;
  if (silentSeconds >= rule.allSeconds) return "allDropped";
  if (silentSeconds >= rule.adminSeconds) return "adminDropped";
  return "connected";
}

/** When the next stage begins (epoch ms), so the daemon can wake up exactly then. */
export function nextGraceChange(rule: GraceRule, lastContact: number, now: number): number | undefined {
  for (const at of [lastContact + rule.adminSeconds * 1000, lastContact + rule.allSeconds * 1000]) {
    if (at > now) return at;
  }
  return undefined;
}
