/** ResourceRepository on Kysely: the same code for SQLite and PostgreSQL. */

import { type Selectable, sql } from "kysely";
import {
  type AgentStatus,
  type Extension,
  type MachineProfile,
  type ProvisioningState,
  type Resource,
  ResourceConflictError,
  type ResourceKind,
  type ResourceRepository,
} from "../../resources/index.ts";
import { classifyDbError } from "../dialect-profile.ts";
import {
  changed,
  insertOrConflict,
  millis,
  type StoreContext,
  toDate,
  withTransaction,
} from "../lib/context.ts";
import { checkLimit, decodeCursor, pageOf } from "../lib/paging.ts";
import type { Database } from "../schema.ts";

type ResourceRow = Selectable<Database["resources"]>;

function toResource(r: ResourceRow, parentId: string | null): Resource {
  return {
    kind: r.kind as ResourceKind,
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    parentId: parentId ?? undefined,
    displayName: r.display_name,
    location: r.location,
    tags: Object.freeze(JSON.parse(r.tags) as Record<string, string>),
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  };
}

/** Machine-profile fields to column names; undefined fields are left alone. */
function profileColumns(
  p: Partial<MachineProfile>,
): Partial<Omit<Database["virtual_machines"], "resource_key">> {
  const out: Partial<Omit<Database["virtual_machines"], "resource_key">> = {};
  if (p.image !== undefined) out.image = p.image;
  if (p.adminUsername !== undefined) out.admin_username = p.adminUsername;
  if (p.size !== undefined) out.size = p.size;
  if ("identityPrincipalId" in p) out.identity_principal_id = p.identityPrincipalId ?? null;
  if (p.agentStatus !== undefined) out.agent_status = p.agentStatus;
  if ("lastHeartbeatAt" in p) out.last_heartbeat_at = p.lastHeartbeatAt ? millis(p.lastHeartbeatAt) : null;
  if (p.modelVersion !== undefined) out.model_version = p.modelVersion;
  return out;
}

/** Longer than any legal chain (root + 6 management-group levels + 4 below), short enough to stop a cycle. */
const MAX_DEPTH = 16;

export function sqlResourceRepository(ctx: StoreContext): ResourceRepository {
  const { db } = ctx;
  // The parent's canonical id comes from a self-join: rows store only the parent's key.
  const withParent = () =>
    db
      .selectFrom("resources as r")
      .leftJoin("resources as parent", "parent.key", "r.parent_key")
      .selectAll("r")
      .select("parent.id as parent_id");

  return {
    transaction: (work) => withTransaction(ctx, (tx) => work(sqlResourceRepository(tx))),

    async insertResource(r) {
      await insertOrConflict(
        ctx,
        () =>
          db
            .insertInto("resources")
            .values({
              key: r.id.toLowerCase(),
              id: r.id,
              tenant_id: r.tenantId,
              kind: r.kind,
              name: r.name,
              parent_key: r.parentId?.toLowerCase() ?? null,
              display_name: r.displayName,
              location: r.location,
              tags: JSON.stringify(r.tags),
              created_at: millis(r.createdAt),
              updated_at: millis(r.updatedAt),
            })
            .execute(),
        () => new ResourceConflictError(`${r.id} already exists`),
      );
    },
    async getResource(key) {
      const r = await withParent().where("r.key", "=", key).executeTakeFirst();
      return r && toResource(r, r.parent_id);
    },
    async listChildren(parentKey, kind, page) {
      const limit = checkLimit(page.limit);
      const after = decodeCursor(page.cursor);
      let q = withParent().where("r.parent_key", "=", parentKey);
      if (kind) q = q.where("r.kind", "=", kind);
      if (after !== undefined) q = q.where("r.key", ">", after);
      const rows = await q
        .orderBy("r.key")
        .limit(limit + 1)
        .execute();
      return pageOf(
        rows,
        limit,
        (r) => r.key,
        (r) => toResource(r, r.parent_id),
      );
    },
    async countChildren(parentKey) {
      const r = await db
        .selectFrom("resources")
        .select((eb) => eb.fn.countAll<number | string>().as("n"))
        .where("parent_key", "=", parentKey)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async listAncestors(key) {
      // The depth bound stops the walk even if a cycle were ever written by hand.
      const r = await sql<ResourceRow & { parent_id: string | null; depth: number }>`
        with recursive chain(key, depth) as (
          select key, 0 from resources where key = ${key}
          union all
          select r.parent_key, c.depth + 1 from resources r join chain c on r.key = c.key
          where r.parent_key is not null and c.depth < ${MAX_DEPTH}
        )
        select res.*, parent.id as parent_id, chain.depth
        from chain
        join resources res on res.key = chain.key
        left join resources parent on parent.key = res.parent_key
        order by chain.depth`.execute(db);
      return r.rows.map((row) => toResource(row, row.parent_id));
    },
    async listByKind(tenantId, kind, page) {
      const limit = checkLimit(page.limit);
      const after = decodeCursor(page.cursor);
      let q = withParent().where("r.tenant_id", "=", tenantId).where("r.kind", "=", kind);
      if (after !== undefined) q = q.where("r.key", ">", after);
      const rows = await q
        .orderBy("r.key")
        .limit(limit + 1)
        .execute();
      return pageOf(
        rows,
        limit,
        (r) => r.key,
        (r) => toResource(r, r.parent_id),
      );
    },
    async setParent(key, parentKey, now) {
      const r = await db
        .updateTable("resources")
        .set({ parent_key: parentKey, updated_at: millis(now) })
        .where("key", "=", key)
        .executeTakeFirst();
      return changed(r);
    },
    async deleteResource(key) {
      try {
        const r = await db.deleteFrom("resources").where("key", "=", key).executeTakeFirst();
        return changed(r);
      } catch (error) {
        if (classifyDbError(ctx.profile, error) === "foreign_key")
          throw new ResourceConflictError("the resource still has children");
        throw error;
      }
    },

    async insertMachine(key, p) {
      await db
        .insertInto("virtual_machines")
        .values({
          resource_key: key,
          image: p.image,
          admin_username: p.adminUsername,
          size: p.size,
          identity_principal_id: p.identityPrincipalId ?? null,
          agent_status: p.agentStatus,
          last_heartbeat_at: p.lastHeartbeatAt ? millis(p.lastHeartbeatAt) : null,
          model_version: p.modelVersion,
        })
        .execute();
    },
    async getMachineProfile(key) {
      const r = await db
        .selectFrom("virtual_machines")
        .selectAll()
        .where("resource_key", "=", key)
        .executeTakeFirst();
      return (
        r && {
          image: r.image,
          adminUsername: r.admin_username,
          size: r.size,
          identityPrincipalId: r.identity_principal_id ?? undefined,
          agentStatus: r.agent_status as AgentStatus,
          lastHeartbeatAt: r.last_heartbeat_at === null ? undefined : toDate(r.last_heartbeat_at),
          modelVersion: Number(r.model_version),
        }
      );
    },
    async updateMachineProfile(key, patch) {
      const columns = profileColumns(patch);
      if (Object.keys(columns).length === 0) return (await this.getMachineProfile(key)) !== undefined;
      const r = await db
        .updateTable("virtual_machines")
        .set(columns)
        .where("resource_key", "=", key)
        .executeTakeFirst();
      return changed(r);
    },
    async replaceNetworkInterfaces(key, nics) {
      await withTransaction(ctx, async (tx) => {
        await tx.db.deleteFrom("network_interfaces").where("resource_key", "=", key).execute();
        if (nics.length === 0) return;
        await tx.db
          .insertInto("network_interfaces")
          .values(
            nics.map((n, position) => ({
              resource_key: key,
              name: n.name,
              private_ip: n.privateIp ?? null,
              public_ip: n.publicIp ?? null,
              position,
            })),
          )
          .execute();
      });
    },
    async listNetworkInterfaces(key) {
      const rows = await db
        .selectFrom("network_interfaces")
        .selectAll()
        .where("resource_key", "=", key)
        .orderBy("position")
        .execute();
      return rows.map((n) => ({
        name: n.name,
        privateIp: n.private_ip ?? undefined,
        publicIp: n.public_ip ?? undefined,
      }));
    },
    async findMachinesByIp(ip) {
      const rows = await db
        .selectFrom("network_interfaces")
        .select("resource_key")
        .distinct()
        .where((eb) => eb.or([eb("private_ip", "=", ip), eb("public_ip", "=", ip)]))
        .orderBy("resource_key")
        .execute();
      return rows.map((r) => r.resource_key);
    },
    async putExtension(key, e: Extension) {
      const values = {
        publisher: e.publisher,
        type: e.type,
        version: e.version,
        provisioning_state: e.provisioningState,
        settings: JSON.stringify(e.settings),
        updated_at: millis(e.updatedAt),
      };
      await db
        .insertInto("vm_extensions")
        .values({ resource_key: key, name: e.name, ...values })
        .onConflict((oc) => oc.columns(["resource_key", "name"]).doUpdateSet(values))
        .execute();
    },
    async listExtensions(key) {
      const rows = await db
        .selectFrom("vm_extensions")
        .selectAll()
        .where("resource_key", "=", key)
        .orderBy("name")
        .execute();
      return rows.map((e) => ({
        name: e.name,
        publisher: e.publisher,
        type: e.type,
        version: e.version,
        provisioningState: e.provisioning_state as ProvisioningState,
        settings: JSON.parse(e.settings) as Record<string, unknown>,
        updatedAt: toDate(e.updated_at),
      }));
    },
    async deleteExtension(key, name) {
      const r = await db
        .deleteFrom("vm_extensions")
        .where("resource_key", "=", key)
        .where("name", "=", name)
        .executeTakeFirst();
      return changed(r);
    },
  };
}
