/**
 * Conditional access configuration (`/identity/conditionalAccess/...`), Entra-style: policies and
 * named locations per tenant, validated by src/policy. Reading needs `Directory/conditionalAccess/read`,
 * changing needs `.../write` at the directory scope (Owner has both; Contributor reads).
 */
import { Type } from "@fastify/type-provider-typebox";
import {
  type ConditionalAccessRepository,
  deleteNamedLocation,
  loadTenantPolicies,
  putNamedLocation,
  putPolicy,
} from "../../../policy/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { RouteNotFoundError } from "../../errors.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE } from "../directory/dto.ts";

const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9._-]+$" }) });
/** Documents are validated by src/policy (unknown fields refused there, with the field's path). */
const Document = Type.Object({}, { additionalProperties: true, maxProperties: 16 });
const read = { action: "Directory/conditionalAccess/read", scope: DIRECTORY_SCOPE };
const write = { action: "Directory/conditionalAccess/write", scope: DIRECTORY_SCOPE };
const jsonOf = (v: unknown) =>
  JSON.parse(JSON.stringify(v, (k, x) => (k === "ranges" ? undefined : x))) as unknown;

export function registerConditionalAccessRoutes(
  app: App,
  repo: ConditionalAccessRepository,
  deps: Pick<RouteDeps, "transaction" | "rbac">,
): void {
  for (const [path, kind] of [
    ["policies", "policy"],
    ["namedLocations", "location"],
  ] as const) {
    const base = `/identity/conditionalAccess/${path}`;
    app.get(
      base,
      {
        config: { permission: read },
        schema: {
          operationId: `ConditionalAccess_List_${path}`,
          tags: ["Conditional access"],
          summary: `List ${path}`,
        },
      },
      async (request) => {
        const all = await loadTenantPolicies(repo, principalOf(request).tenantId);
        return { value: jsonOf(kind === "policy" ? all.policies : all.locations) };
      },
    );
    app.put(
      `${base}/:id`,
      {
        config: { permission: write },
        schema: {
          operationId: `ConditionalAccess_Put_${path}`,
          tags: ["Conditional access"],
          summary: `Create or replace one of ${path}`,
          params: Id,
          body: Document,
        },
      },
      async (request) => {
        const doc = { ...(request.body as Record<string, unknown>), id: request.params.id };
        const tenantId = principalOf(request).tenantId;
        request.auditTarget = `${base}/${request.params.id}`;
        const saved = await inChange(request, deps, async (tx, note) => {
          const store = tx.conditionalAccess ?? repo;
          const put =
            kind === "policy"
              ? await putPolicy(store, tenantId, doc, new Date())
              : await putNamedLocation(store, tenantId, doc, new Date());
          note(`${base}/${request.params.id}`, { document: jsonOf(put) });
          return put;
        });
        return jsonOf(saved);
      },
    );
    app.delete(
      `${base}/:id`,
      {
        config: { permission: write },
        schema: {
          operationId: `ConditionalAccess_Delete_${path}`,
          tags: ["Conditional access"],
          summary: `Delete one of ${path}`,
          params: Id,
        },
      },
      async (request, reply) => {
        const tenantId = principalOf(request).tenantId;
        request.auditTarget = `${base}/${request.params.id}`;
        await inChange(request, deps, async (tx) => {
          const store = tx.conditionalAccess ?? repo;
          const gone =
            kind === "policy"
              ? await store.deletePolicy(tenantId, request.params.id)
              : await deleteNamedLocation(store, tenantId, request.params.id);
          if (!gone) throw new RouteNotFoundError(`${base}/${request.params.id} does not exist`);
        });
        return reply.code(204).send();
      },
    );
  }
}
