/**
 * The RBAC engine's `DecisionGraphSource` from the store: the tenant's direct group memberships
 * and its management groups and subscriptions, read in pages when the engine loads its snapshot
 * (rbac/lib/decision-graph.ts); the change log keeps them current afterwards.
 */
import type { DirectoryRepository } from "../../directory/index.ts";
import type { DecisionGraphSource, Membership } from "../../rbac/index.ts";
import type { ResourceState } from "../../resources/changes.ts";
import type { ResourceKind, ResourceRepository } from "../../resources/index.ts";

const PAGE = 5000;
const CONTAINER_KINDS: readonly ResourceKind[] = ["managementGroup", "subscription"];

export function storeDecisionGraph(
  directory: DirectoryRepository,
  resources: ResourceRepository,
): DecisionGraphSource {
  return {
    async *memberships(tenantId): AsyncGenerator<Membership> {
      let after: Membership | undefined;
      for (;;) {
        const rows = await directory.listMemberships(tenantId, after, PAGE);
        yield* rows;
        after = rows[rows.length - 1];
        if (after === undefined || rows.length < PAGE) return;
      }
    },
    async *containers(tenantId): AsyncGenerator<ResourceState> {
      for (const kind of CONTAINER_KINDS) {
        let cursor: string | undefined;
        do {
          const page = await resources.listByKind(tenantId, kind, {
            limit: 1000,
            ...(cursor === undefined ? {} : { cursor }),
          });
          for (const r of page.items) {
            const parentKey = r.parentId?.toLowerCase();
            yield { key: r.id.toLowerCase(), id: r.id, kind: r.kind, ...(parentKey ? { parentKey } : {}) };
          }
          cursor = page.nextCursor;
        } while (cursor !== undefined);
      }
    },
  };
}
