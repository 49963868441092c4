/**
 * Conditional access configuration use cases: load a tenant's policies and named locations for
 * evaluation, and change them with validation (a location a policy uses cannot be deleted, so a
 * block policy never silently widens).
 */
import { PolicyError } from "./errors.ts";
import { validateNamedLocation } from "./named-location.ts";
import type { ConditionalAccessRepository } from "./repository.ts";
import type { ConditionalAccessPolicy, NamedLocation } from "./types.ts";
import { validateConditionalAccessPolicy } from "./validate-policy.ts";

export class PolicyConflictError extends PolicyError {
  static readonly code = "ERR_POLICY_CONFLICT";
  readonly code = PolicyConflictError.code;
  readonly kind = "conflict";
}

export interface TenantPolicies {
  readonly policies: readonly ConditionalAccessPolicy[];
  readonly locations: readonly NamedLocation[];
}

export async function loadTenantPolicies(
  repo: ConditionalAccessRepository,
  tenantId: string,
): Promise<TenantPolicies> {
  return validated(await repo.listPolicies(tenantId), await repo.listNamedLocations(tenantId));
}

function validated(
  documents: Awaited<ReturnType<ConditionalAccessRepository["listPolicies"]>>,
  locationDocuments: Awaited<ReturnType<ConditionalAccessRepository["listNamedLocations"]>>,
): TenantPolicies {
  const locations = locationDocuments.map((doc) => validateNamedLocation(doc));
  const namedLocationIds = new Set(locations.map((l) => l.id));
  const policies = documents.map((doc) => validateConditionalAccessPolicy(doc, { namedLocationIds }));
  return { policies, locations };
}

/**
 * The same for an evaluation (issuance asks for every certificate): named locations matter only
 * to policies, so a tenant without policies costs one read.
 */
export async function loadPoliciesForEvaluation(
  repo: ConditionalAccessRepository,
  tenantId: string,
): Promise<TenantPolicies> {
  const documents = await repo.listPolicies(tenantId);
  if (documents.length === 0) return { policies: [], locations: [] };
  return validated(documents, await repo.listNamedLocations(tenantId));
}

/** Plain JSON of a policy as stored and shown. */
function documentOf(policy: ConditionalAccessPolicy): unknown {
  return JSON.parse(JSON.stringify(policy));
}

export async function putPolicy(
  repo: ConditionalAccessRepository,
  tenantId: string,
  doc: unknown,
  now: Date,
): Promise<ConditionalAccessPolicy> {
  const namedLocationIds = new Set(
    (await repo.listNamedLocations(tenantId)).map((l) => validateNamedLocation(l).id),
  );
  const policy = validateConditionalAccessPolicy(doc, { namedLocationIds });
  await repo.putPolicy(tenantId, policy.id, documentOf(policy), now);
  return policy;
}

export async function putNamedLocation(
  repo: ConditionalAccessRepository,
  tenantId: string,
  doc: unknown,
  now: Date,
): Promise<NamedLocation> {
  const location = validateNamedLocation(doc);
  await repo.putNamedLocation(
    tenantId,
    location.id,
    { id: location.id, name: location.name, trusted: location.trusted, cidrs: location.cidrs },
    now,
  );
  return location;
}

export async function deleteNamedLocation(
  repo: ConditionalAccessRepository,
  tenantId: string,
  id: string,
): Promise<boolean> {
  const { policies } = await loadTenantPolicies(repo, tenantId);
  const users = policies.filter((p) => {
    const l = p.conditions.locations;
    return l && ((l.include !== "All" && l.include.includes(id)) || l.exclude.includes(id));
  });
  if (users.length)
    throw new PolicyConflictError(
      `named location ${id} is used by policy ${users.map((p) => p.name).join(", ")}`,
    );
  return repo.deleteNamedLocation(tenantId, id);
}
