/** Groups with nested membership. A membership that would close a cycle is refused. */
import { randomUUID } from "node:crypto";
import { GroupCycleError, PrincipalNotFoundError, TenantNotFoundError } from "./errors.ts";
import { checkDisplayName, timeOf } from "./lib/checks.ts";
import type { DirectoryRepository } from "./repository.ts";
import type { Group } from "./types.ts";

export interface CreateGroupInput {
  readonly tenantId: string;
  readonly displayName: string;
  readonly description?: string;
  readonly now?: () => Date;
}

export async function createGroup(repo: DirectoryRepository, input: CreateGroupInput): Promise<Group> {
  const group: Group = {
    kind: "group",
    id: randomUUID(),
    tenantId: input.tenantId,
    displayName: checkDisplayName(input.displayName),
    description: input.description === undefined ? "" : checkDisplayName(input.description, "description"),
    enabled: true,
    createdAt: timeOf(input.now),
  };
  return repo.transaction(async (tx) => {
    if (!(await tx.getTenant(input.tenantId))) throw new TenantNotFoundError("tenant not found");
    await tx.insertGroup(group);
    return group;
  });
}

/**
 * The ids of every group `principalId` belongs to, directly or through other groups (the
 * principal itself is not included). One query whatever the depth.
 */
export async function groupClosure(
  repo: DirectoryRepository,
  tenantId: string,
  principalId: string,
): Promise<ReadonlySet<string>> {
  const groups = new Set(await repo.listTransitiveGroups(tenantId, principalId));
  groups.delete(principalId);
  return groups;
}

/**
 * Adds `memberId` (any principal) to `groupId`. When the member is a group, refuses if
 * `groupId` is already inside it (directly or transitively): that edge would close a cycle.
 * The check and the insert run in one transaction under the tenant lock, so two concurrent
 * additions (A into B, B into A) cannot build a cycle together.
 */
export async function addGroupMember(
  repo: DirectoryRepository,
  input: { tenantId: string; groupId: string; memberId: string; now?: () => Date },
): Promise<void> {
  const { tenantId, groupId, memberId } = input;
  await repo.transaction(async (tx) => {
    await tx.lockTenant(tenantId);
    const [group, member] = await Promise.all([
      tx.getPrincipal(tenantId, groupId),
      tx.getPrincipal(tenantId, memberId),
    ]);
    if (group?.kind !== "group") throw new PrincipalNotFoundError("group not found");
    if (!member) throw new PrincipalNotFoundError("member not found");
    if (member.kind === "group") {
      if (memberId === groupId) throw new GroupCycleError("a group cannot be a member of itself");
      if ((await groupClosure(tx, tenantId, groupId)).has(memberId)) {
        throw new GroupCycleError(
          "the group is already a member of the group being added: that would be a cycle",
        );
      }
    }
    await tx.addGroupMember(tenantId, groupId, memberId, timeOf(input.now));
  });
}

export async function removeGroupMember(
  repo: DirectoryRepository,
  input: { tenantId: string; groupId: string; memberId: string },
): Promise<boolean> {
  return repo.removeGroupMember(input.tenantId, input.groupId, input.memberId);
}
