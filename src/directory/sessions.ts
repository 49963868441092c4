/**
 * Sign-in sessions that really end (issue 11 item 4). A principal's tokens are JWTs nobody stores,
 * and refresh tokens and browser sessions live in the authorization server; what ends them all at
 * once is one time per principal, `sessionsValidFrom`: every token issued before it is void, and
 * every token check (API, Linux VM Sign-In, refresh, browser session) compares against it.
 *
 * Disabling a principal moves it to now, in the same transaction, so re-enabling brings no old
 * token back: the principal signs in again. An administrator can move it explicitly
 * (`revokeSignInSessions`, Entra ID's revokeSignInSessions). It never moves back.
 */
import { PrincipalNotFoundError } from "./errors.ts";
import { timeOf } from "./lib/checks.ts";
import type { DirectoryRepository } from "./repository.ts";
import type { Principal, PrincipalKind } from "./types.ts";

/** Principals that sign in and hold tokens (a group does neither). */
export type SignInKind = Exclude<PrincipalKind, "group">;

const NOT_FOUND: Readonly<Record<SignInKind, string>> = {
  user: "user not found",
  servicePrincipal: "service principal not found",
  managedIdentity: "managed identity not found",
};

export interface SetEnabledInput {
  readonly tenantId: string;
  readonly id: string;
  /** The kind the caller addresses; another kind with this id is "not found". */
  readonly kind: SignInKind;
  readonly enabled: boolean;
  readonly now?: () => Date;
}

/** Enables or disables a principal; disabling voids its sessions in the same transaction. */
export async function setPrincipalEnabled(
  repo: DirectoryRepository,
  input: SetEnabledInput,
): Promise<Principal> {
  return repo.transaction(async (tx) => {
    await principalOf(tx, input.tenantId, input.id, input.kind);
    await tx.setPrincipalEnabled(input.tenantId, input.id, input.enabled);
    if (!input.enabled) await tx.voidSessions(input.tenantId, input.id, timeOf(input.now));
    return principalOf(tx, input.tenantId, input.id, input.kind);
  });
}

export interface RevokeSessionsInput {
  readonly tenantId: string;
  readonly id: string;
  /** When given, a principal of another kind is "not found" (the user route cannot revoke an app). */
  readonly kind?: SignInKind;
  readonly now?: () => Date;
}

/** Voids every token the principal holds now; it keeps signing in afresh. Returns it as now stored. */
export async function revokeSignInSessions(
  repo: DirectoryRepository,
  input: RevokeSessionsInput,
): Promise<Principal> {
  return repo.transaction(async (tx) => {
    await principalOf(tx, input.tenantId, input.id, input.kind);
    await tx.voidSessions(input.tenantId, input.id, timeOf(input.now));
    return principalOf(tx, input.tenantId, input.id, input.kind);
  });
}

async function principalOf(
  repo: DirectoryRepository,
  tenantId: string,
  id: string,
  kind: SignInKind | undefined,
): Promise<Principal> {
  const found = await repo.getPrincipal(tenantId, id);
  const ok = found !== undefined && found.kind !== "group" && (kind === undefined || found.kind === kind);
  if (!ok)
    throw new PrincipalNotFoundError(
      kind ? NOT_FOUND[kind] : "no user, service principal or managed identity",
    );
  return found;
}
