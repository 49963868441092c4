/**
 * A small tenant for the RBAC tests: management groups root > mg-a > mg-b > subscription sub1
 * (and sub2 directly under root), and a group tree whose transitive closure is computed here the
 * way the directory will provide it.
 */
import { SYSTEM_ACTOR } from "../actor.ts";
import { createRoleAssignment } from "../create-role-assignment.ts";
import { MemoryRbacRepository } from "../memory-repository.ts";
import { type Principal, RbacEngine } from "../rbac-engine.ts";
import type { PrincipalType, RoleAssignment } from "../repository.ts";

export const TENANT = "t1";
export const MG_ROOT = "/providers/Management/managementGroups/root";
export const MG_A = "/providers/Management/managementGroups/mg-a";
export const MG_B = "/providers/Management/managementGroups/mg-b";
export const SUB1 = "/subscriptions/sub1";
export const SUB2 = "/subscriptions/sub2";

const PARENT_MG: Record<string, string[]> = {
  "/subscriptions/sub1": [MG_B, MG_A, MG_ROOT],
  "/subscriptions/sub2": [MG_ROOT],
  [MG_B.toLowerCase()]: [MG_A, MG_ROOT],
  [MG_A.toLowerCase()]: [MG_ROOT],
  [MG_ROOT.toLowerCase()]: [],
};

export function vm(rg: string, name: string, sub = "sub1"): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/Compute/virtualMachines/${name}`;
}

export function user(id: string): Principal {
  return { id, type: "User" };
}

export interface Fixture {
  readonly repository: MemoryRbacRepository;
  readonly engine: RbacEngine;
  /** child group or user -> groups it is a direct member of */
  readonly memberOf: Map<string, string[]>;
  assign(role: string, principalId: string, scope: string, type?: PrincipalType): Promise<RoleAssignment>;
  openReplica(): Promise<RbacEngine>;
}

export async function fixture(): Promise<Fixture> {
  const repository = new MemoryRbacRepository();
  const memberOf = new Map<string, string[]>();
  const groups = (_tenant: string, id: string): string[] => {
    const seen = new Set<string>();
    const todo = [...(memberOf.get(id) ?? [])];
    while (todo.length > 0) {
      const g = todo.pop() as string;
      if (seen.has(g)) continue;
      seen.add(g);
      todo.push(...(memberOf.get(g) ?? []));
    }
    return [...seen];
  };
  const ancestry = (_tenant: string, scope: string): string[] => PARENT_MG[scope.toLowerCase()] ?? [];
  const options = { repository, tenantId: TENANT, groups, ancestry };
  const engine = await RbacEngine.open(options);
  return {
    repository,
    engine,
    memberOf,
    assign: (role, principalId, scope, principalType = "User") =>
      createRoleAssignment(engine, SYSTEM_ACTOR, { role, principalId, principalType, scope }),
    openReplica: () => RbacEngine.open(options),
  };
}
