/**
 * A user choosing their own password: after proving the current one (self-service), or right
 * after signing in with a temporary one that must be replaced (the sign-in just proved it).
 */
import { InvalidCredentialsError, InvalidDirectoryInputError } from "./errors.ts";
import { hashPassword, verifyPassword } from "./password.ts";
import type { DirectoryRepository } from "./repository.ts";
import { getUser } from "./users.ts";

export interface ChangePasswordInput {
  readonly tenantId: string;
  readonly userId: string;
  /** Omitted only when the caller has just verified it (a sign-in that must change the password). */
  readonly currentPassword?: string;
  readonly newPassword: string;
}

/** True when the user's password is a temporary one they must replace at sign-in. */
export async function isPasswordChangeRequired(
  repo: DirectoryRepository,
  tenantId: string,
  userId: string,
): Promise<boolean> {
  return repo.isPasswordChangeRequired(tenantId, userId);
}

/**
 * Replaces the password with one the user chose. It must differ from the current one (a
 * temporary password kept as is would stay known to whoever set it). Clears "change required".
 */
export async function changeOwnPassword(
  repo: DirectoryRepository,
  input: ChangePasswordInput,
): Promise<void> {
  const user = await getUser(repo, input.tenantId, input.userId);
  const stored = await repo.getPasswordHash(input.tenantId, user.id);
  if (input.currentPassword !== undefined && !(await verifyPassword(stored, input.currentPassword))) {
    throw new InvalidCredentialsError();
  }
  if (await verifyPassword(stored, input.newPassword)) {
    throw new InvalidDirectoryInputError("the new password must be different from the current one");
  }
  const hash = await hashPassword(input.newPassword);
  await repo.setPasswordHash(input.tenantId, user.id, hash, false);
}
