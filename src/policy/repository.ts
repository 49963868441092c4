/**
 * Where a tenant's conditional access configuration lives. Documents are stored as validated JSON
 * and validated again when read, so the store never decides what a policy means.
 */
export interface ConditionalAccessRepository {
  listPolicies(tenantId: string): Promise<readonly unknown[]>;
  putPolicy(tenantId: string, id: string, document: unknown, now: Date): Promise<void>;
  deletePolicy(tenantId: string, id: string): Promise<boolean>;
  listNamedLocations(tenantId: string): Promise<readonly unknown[]>;
  putNamedLocation(tenantId: string, id: string, document: unknown, now: Date): Promise<void>;
  deleteNamedLocation(tenantId: string, id: string): Promise<boolean>;
}
