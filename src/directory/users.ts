/** Users: UPN, display name, enabled flag, password, immutable object id, uid and Linux name. */
import { randomUUID } from "node:crypto";
import {
  InvalidCredentialsError,
  InvalidUpnError,
  LinuxNameTakenError,
  PrincipalNotFoundError,
  TenantNotFoundError,
  UpnTakenError,
} from "./errors.ts";
import { checkDisplayName, timeOf } from "./lib/checks.ts";
import { linuxNameFromUpn, validateLinuxName } from "./linux-name.ts";
import { hashPassword, verifyPassword } from "./password.ts";
import type { DirectoryRepository } from "./repository.ts";
import { setPrincipalEnabled } from "./sessions.ts";
import type { Principal, User } from "./types.ts";
import { normalizeUpn } from "./upn.ts";

export interface CreateUserInput {
  readonly tenantId: string;
  readonly upn: string;
  readonly displayName: string;
  /** Omitted: the user cannot sign in with a password (federated, or set later). */
  readonly password?: string;
  /**
   * Instead of `password`: its `hashPassword` result, made by a caller that writes the user in a
   * transaction of its own (scrypt takes ~100 ms, too long to hold the write lock).
   */
  readonly passwordHash?: string;
  readonly enabled?: boolean;
  /**
   * An explicit Linux name for a UPN that does not fit the rule (too long, non-ASCII). It must
   * pass the same rule; it is never derived by shortening.
   */
  readonly linuxName?: string;
  /** The password is a temporary one: the user must choose their own at the next sign-in. */
  readonly passwordChangeRequired?: boolean;
  readonly now?: () => Date;
}

export async function createUser(repo: DirectoryRepository, input: CreateUserInput): Promise<User> {
  const { upn, key } = normalizeUpn(input.upn);
  const linuxName =
    input.linuxName === undefined ? linuxNameFromUpn(upn) : validateLinuxName(input.linuxName);
  const displayName = checkDisplayName(input.displayName);
  if (input.password !== undefined && input.passwordHash !== undefined)
    throw new TypeError("createUser takes a password or its hash, not both");
  // Hash before the transaction: scrypt takes ~100 ms and must not hold the write lock.
  const passwordHash = input.password === undefined ? input.passwordHash : await hashPassword(input.password);
  return repo.transaction(async (tx) => {
    if (!(await tx.getTenant(input.tenantId))) throw new TenantNotFoundError("tenant not found");
    // Checks and inserts of one tenant's names do not interleave: a lost race gets the precise error.
    await tx.lockTenant(input.tenantId);
    if (await tx.findUserByUpn(input.tenantId, key))
      throw new UpnTakenError(`a user with UPN '${upn}' already exists`);
    if (await tx.findPrincipalByLinuxName(input.tenantId, linuxName)) {
      throw new LinuxNameTakenError(`Linux name '${linuxName}' is already taken`);
    }
    const user: User = {
      kind: "user",
      id: randomUUID(),
      tenantId: input.tenantId,
      upn,
      displayName,
      enabled: input.enabled ?? true,
      linuxName,
      uid: await tx.allocateUid(input.tenantId),
      createdAt: timeOf(input.now),
    };
    await tx.insertUser(
      user,
      key,
      passwordHash,
      passwordHash !== undefined && input.passwordChangeRequired === true,
    );
    return user;
  });
}

function asUser(principal: Principal | undefined): User {
  if (principal?.kind !== "user") throw new PrincipalNotFoundError("user not found");
  return principal;
}

export async function getUser(repo: DirectoryRepository, tenantId: string, id: string): Promise<User> {
  return asUser(await repo.getPrincipal(tenantId, id));
}

/** Finds a user by any case or normalisation variant of the UPN. */
export async function findUserByUpn(
  repo: DirectoryRepository,
  tenantId: string,
  upn: string,
): Promise<User | undefined> {
  let key: string;
  try {
    key = normalizeUpn(upn).key;
  } catch (error) {
    if (error instanceof InvalidUpnError) return undefined;
    throw error;
  }
  return repo.findUserByUpn(tenantId, key);
}

/** Disabling voids the user's sessions (sessions.ts): re-enabling brings no old token back. */
export async function setUserEnabled(
  repo: DirectoryRepository,
  tenantId: string,
  id: string,
  enabled: boolean,
  now?: () => Date,
): Promise<User> {
  return asUser(
    await setPrincipalEnabled(repo, { tenantId, id, kind: "user", enabled, ...(now ? { now } : {}) }),
  );
}

/**
 * Sets a user's password. `changeRequired`: it is a temporary password an administrator chose or
 * generated, and the user must replace it at the next sign-in.
 */
export async function setUserPassword(
  repo: DirectoryRepository,
  tenantId: string,
  id: string,
  password: string,
  options: { readonly changeRequired?: boolean } = {},
): Promise<void> {
  await getUser(repo, tenantId, id);
  const hash = await hashPassword(password);
  if (!(await repo.setPasswordHash(tenantId, id, hash, options.changeRequired === true))) {
    throw new PrincipalNotFoundError("user not found");
  }
}

/**
 * Deletes the user. Its uid is gone for good: the tenant's counter only moves forward, so a
 * later user never inherits files owned by this one on a host.
 */
export async function deleteUser(repo: DirectoryRepository, tenantId: string, id: string): Promise<void> {
  await repo.transaction(async (tx) => {
    await getUser(tx, tenantId, id);
    await tx.deletePrincipal(tenantId, id);
  });
}

/**
 * Password sign-in. Unknown user, wrong password and disabled user all fail the same way, with
 * the same scrypt work, so the response does not tell them apart.
 */
/** The tenants with a user of this UPN (none for a UPN that is not valid). */
export async function tenantsOfUpn(repo: DirectoryRepository, upn: string): Promise<readonly string[]> {
  try {
    return await repo.findTenantsOfUpn(normalizeUpn(upn).key);
  } catch (error) {
    if (error instanceof InvalidUpnError) return [];
    throw error;
  }
}

export async function authenticateUser(
  repo: DirectoryRepository,
  tenantId: string,
  upn: string,
  password: string,
): Promise<User> {
  const user = await findUserByUpn(repo, tenantId, upn);
  const hash = user ? await repo.getPasswordHash(tenantId, user.id) : undefined;
  const ok = await verifyPassword(hash, password);
  if (!user || !ok || !user.enabled) throw new InvalidCredentialsError();
  return user;
}
