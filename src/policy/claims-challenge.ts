/**
 * Turns a conditional access result into the error the token or certificate endpoint returns:
 * `AccessBlockedError` (kind `forbidden`) for a block, `InteractionRequiredError` (kind
 * `unauthenticated`, `requirements` = exactly what the session lacks) for a challenge, nothing for
 * a grant. The CLI re-prompts only for the listed requirements.
 */
import { AccessBlockedError, InteractionRequiredError } from "./errors.ts";
import type { ConditionalAccessResult } from "./types.ts";

export function claimsChallenge(
  result: ConditionalAccessResult,
): AccessBlockedError | InteractionRequiredError | undefined {
  switch (result.decision) {
    case "grant":
      return undefined;
    case "block":
      return new AccessBlockedError();
    case "challenge":
      // With `reauthenticate`, the client asks for a fresh sign-in with this OIDC `max_age`.
      return new InteractionRequiredError(
        result.missing,
        result.missing.includes("reauthenticate") ? 0 : undefined,
      );
  }
}
