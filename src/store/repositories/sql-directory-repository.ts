/** DirectoryRepository on Kysely: the same code for SQLite and PostgreSQL. */
import { sql } from "kysely";
import {
  DirectoryConflictError,
  type DirectoryRepository,
  type Group,
  type Principal,
  type Tenant,
  UpnTakenError,
  type User,
} from "../../directory/index.ts";
import { readBoolean } from "../dialect-profile.ts";
import { recordChanges } from "../lib/change-log.ts";
import {
  changed,
  insertOrConflict,
  millis,
  type StoreContext,
  toDate,
  withTransaction,
} from "../lib/context.ts";
import { principalQuery, toPrincipal } from "../lib/directory-rows.ts";
import { checkLimit, decodeCursor, pageOf } from "../lib/paging.ts";
import { sqlDirectoryAppMethods } from "./sql-directory-apps.ts";
import { sqlDirectoryDeviceMethods } from "./sql-directory-devices.ts";
import { insertPrincipal, recordPrincipal } from "./sql-directory-principal.ts";
import { sqlDirectorySessionMethods } from "./sql-directory-sessions.ts";

/** Ids per `IN (...)` list: SQLite caps bound parameters, and huge lists plan badly anywhere. */
const IN_CHUNK = 500;

export function sqlDirectoryRepository(ctx: StoreContext): DirectoryRepository {
  const { db } = ctx;
  const conflict = (what: string) => () => new DirectoryConflictError(`${what} already exists`);

  const findTenant = async (column: "id" | "name_key", value: string): Promise<Tenant | undefined> => {
    const r = await db.selectFrom("tenants").selectAll().where(column, "=", value).executeTakeFirst();
    return r && { id: r.id, name: r.name, displayName: r.display_name, createdAt: toDate(r.created_at) };
  };

  const repo: DirectoryRepository = {
    transaction: (work) => withTransaction(ctx, (tx) => work(sqlDirectoryRepository(tx))),

    async insertTenant(t, firstUid) {
      await insertOrConflict(
        ctx,
        () =>
          db
            .insertInto("tenants")
            .values({
              id: t.id,
              name: t.name,
              name_key: t.name.toLowerCase(),
              display_name: t.displayName,
              next_uid: firstUid,
              created_at: millis(t.createdAt),
            })
            .execute(),
        conflict("tenant"),
      );
    },
    getTenant: (id) => findTenant("id", id),
    findTenantByName: (nameKey) => findTenant("name_key", nameKey),
    async lockTenant(tenantId) {
      // A no-op write: takes the row lock on PostgreSQL; SQLite holds its write lock already.
      await db
        .updateTable("tenants")
        .set((eb) => ({ next_uid: eb.ref("next_uid") }))
        .where("id", "=", tenantId)
        .execute();
    },
    async allocateUid(tenantId) {
      const r = await db
        .updateTable("tenants")
        .set((eb) => ({ next_uid: eb("next_uid", "+", 1) }))
        .where("id", "=", tenantId)
        .returning("next_uid")
        .executeTakeFirstOrThrow();
      return Number(r.next_uid) - 1;
    },

    async getPrincipal(tenantId, id) {
      const r = await principalQuery(db)
        .where("p.tenant_id", "=", tenantId)
        .where("p.id", "=", id)
        .executeTakeFirst();
      return r && toPrincipal(r);
    },
    async getPrincipals(tenantId, ids) {
      const out: Principal[] = [];
      // Chunked: bounded statements whatever the caller passes.
      for (let i = 0; i < ids.length; i += IN_CHUNK) {
        const rows = await principalQuery(db)
          .where("p.tenant_id", "=", tenantId)
          .where("p.id", "in", ids.slice(i, i + IN_CHUNK))
          .execute();
        for (const r of rows) out.push(toPrincipal(r));
      }
      return out;
    },
    async findPrincipalByLinuxName(tenantId, linuxName) {
      const r = await principalQuery(db)
        .where("p.tenant_id", "=", tenantId)
        .where("p.linux_name", "=", linuxName)
        .executeTakeFirst();
      return r && toPrincipal(r);
    },
    async listPrincipals(tenantId, kind, page, filter = {}) {
      const limit = checkLimit(page.limit);
      const after = decodeCursor(page.cursor);
      let q = principalQuery(db).where("p.tenant_id", "=", tenantId).where("p.kind", "=", kind);
      if (after !== undefined) q = q.where("p.id", ">", after);
      if (filter.search !== undefined && filter.search !== "") {
        // A substring, matched literally: LIKE's wildcards in the search are escaped with '!'.
        const pattern = `%${filter.search.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
        q = q.where(
          sql<boolean>`(lower(p.display_name) like ${pattern} escape '!' or u.upn_key like ${pattern} escape '!' or lower(s.app_id) like ${pattern} escape '!')`,
        );
      }
      const rows = await q
        .orderBy("p.id")
        .limit(limit + 1)
        .execute();
      return pageOf(rows, limit, (r) => r.id, toPrincipal);
    },
    setPrincipalEnabled: (tenantId, id, enabled) => updatePrincipal(ctx, tenantId, id, { enabled }),
    setDisplayName: (tenantId, id, displayName) =>
      updatePrincipal(ctx, tenantId, id, { display_name: displayName }),
    deletePrincipal(tenantId, id) {
      return withTransaction(ctx, async (tx) => {
        const r = await tx.db
          .deleteFrom("principals")
          .where("tenant_id", "=", tenantId)
          .where("id", "=", id)
          .executeTakeFirst();
        if (!changed(r)) return false;
        await recordChanges(tx, tenantId, [{ kind: "principal.deleted", id }]);
        return true;
      });
    },

    async insertUser(user: User, upnKey, passwordHash, changeRequired = false) {
      await withTransaction(ctx, async (tx) => {
        await insertPrincipal(tx, user, user);
        await insertOrConflict(
          tx,
          () =>
            tx.db
              .insertInto("users")
              .values({
                principal_id: user.id,
                tenant_id: user.tenantId,
                upn: user.upn,
                upn_key: upnKey,
                password_hash: passwordHash ?? null,
                password_change_required: changeRequired,
              })
              .execute(),
          () => new UpnTakenError("a user with this UPN already exists"),
        );
        await recordPrincipal(tx, user);
      });
    },
    async findUserByUpn(tenantId, upnKey) {
      const r = await principalQuery(db)
        .where("p.tenant_id", "=", tenantId)
        .where("u.upn_key", "=", upnKey)
        .executeTakeFirst();
      const p = r && toPrincipal(r);
      return p?.kind === "user" ? p : undefined;
    },
    async findTenantsOfUpn(upnKey) {
      const rows = await db
        .selectFrom("users")
        .select("tenant_id")
        .where("upn_key", "=", upnKey)
        .orderBy("tenant_id")
        .execute();
      return rows.map((r) => r.tenant_id);
    },
    async findTenantOfPrincipal(id) {
      const r = await db.selectFrom("principals").select("tenant_id").where("id", "=", id).executeTakeFirst();
      return r?.tenant_id;
    },
    async getPasswordHash(tenantId, userId) {
      const r = await db
        .selectFrom("users")
        .select("password_hash")
        .where("tenant_id", "=", tenantId)
        .where("principal_id", "=", userId)
        .executeTakeFirst();
      return r?.password_hash ?? undefined;
    },
    async setPasswordHash(tenantId, userId, hash, changeRequired = false) {
      const r = await db
        .updateTable("users")
        .set({ password_hash: hash ?? null, password_change_required: changeRequired })
        .where("tenant_id", "=", tenantId)
        .where("principal_id", "=", userId)
        .executeTakeFirst();
      return changed(r);
    },
    async isPasswordChangeRequired(tenantId, userId) {
      const r = await db
        .selectFrom("users")
        .select("password_change_required")
        .where("tenant_id", "=", tenantId)
        .where("principal_id", "=", userId)
        .executeTakeFirst();
      return r !== undefined && readBoolean(r.password_change_required);
    },

    async insertGroup(group: Group) {
      await withTransaction(ctx, async (tx) => {
        await insertPrincipal(tx, group);
        await tx.db
          .insertInto("groups")
          .values({ principal_id: group.id, tenant_id: group.tenantId, description: group.description })
          .execute();
        await recordPrincipal(tx, group);
      });
    },
    addGroupMember(tenantId, groupId, memberId, now) {
      return withTransaction(ctx, async (tx) => {
        const r = await tx.db
          .insertInto("group_members")
          .values({ tenant_id: tenantId, group_id: groupId, member_id: memberId, created_at: millis(now) })
          .onConflict((oc) => oc.columns(["group_id", "member_id"]).doNothing())
          .executeTakeFirst();
        // Adding an existing membership changes nothing, so it records nothing.
        if ((r.numInsertedOrUpdatedRows ?? 0n) > 0n)
          await recordChanges(tx, tenantId, [{ kind: "membership.added", groupId, memberId }]);
      });
    },
    removeGroupMember(tenantId, groupId, memberId) {
      return withTransaction(ctx, async (tx) => {
        const r = await tx.db
          .deleteFrom("group_members")
          .where("tenant_id", "=", tenantId)
          .where("group_id", "=", groupId)
          .where("member_id", "=", memberId)
          .executeTakeFirst();
        if (!changed(r)) return false;
        await recordChanges(tx, tenantId, [{ kind: "membership.removed", groupId, memberId }]);
        return true;
      });
    },
    async listGroupMembers(tenantId, groupId, page) {
      const limit = checkLimit(page.limit);
      const after = decodeCursor(page.cursor);
      let q = principalQuery(db)
        .innerJoin("group_members as gm", "gm.member_id", "p.id")
        .where("gm.tenant_id", "=", tenantId)
        .where("gm.group_id", "=", groupId);
      if (after !== undefined) q = q.where("p.id", ">", after);
      const rows = await q
        .orderBy("p.id")
        .limit(limit + 1)
        .execute();
      return pageOf(rows, limit, (r) => r.id, toPrincipal);
    },
    async listTransitiveGroups(tenantId, memberId) {
      // UNION (not UNION ALL) drops rows already found, so the recursion ends even on a cycle.
      const r = await sql<{ group_id: string }>`
        with recursive closure(group_id) as (
          select group_id from group_members where tenant_id = ${tenantId} and member_id = ${memberId}
          union
          select gm.group_id from group_members gm join closure c on gm.member_id = c.group_id
          where gm.tenant_id = ${tenantId}
        )
        select group_id from closure`.execute(db);
      return r.rows.map((row) => row.group_id);
    },
    async listMemberships(tenantId, after, limit) {
      let q = db
        .selectFrom("group_members")
        .select(["group_id", "member_id"])
        .where("tenant_id", "=", tenantId);
      // A row-value comparison: both dialects walk the (group_id, member_id) primary key from there.
      if (after !== undefined)
        q = q.where((eb) =>
          eb(eb.refTuple("group_id", "member_id"), ">", eb.tuple(after.groupId, after.memberId)),
        );
      const rows = await q
        .orderBy("group_id")
        .orderBy("member_id")
        .limit(Math.max(1, Math.min(Math.trunc(limit) || 1, 10_000)))
        .execute();
      return rows.map((r) => ({ groupId: r.group_id, memberId: r.member_id }));
    },

    ...sqlDirectoryAppMethods(ctx),
    ...sqlDirectoryDeviceMethods(ctx),
    ...sqlDirectorySessionMethods(ctx),
  };
  return repo;
}

/** Updates the principals row and records the principal's new state, in one transaction. */
function updatePrincipal(
  ctx: StoreContext,
  tenantId: string,
  id: string,
  set: { enabled?: boolean; display_name?: string },
): Promise<boolean> {
  return withTransaction(ctx, async (tx) => {
    const r = await tx.db
      .updateTable("principals")
      .set(set)
      .where("tenant_id", "=", tenantId)
      .where("id", "=", id)
      .executeTakeFirst();
    if (!changed(r)) return false;
    const row = await principalQuery(tx.db)
      .where("p.tenant_id", "=", tenantId)
      .where("p.id", "=", id)
      .executeTakeFirstOrThrow();
    await recordPrincipal(tx, toPrincipal(row));
    return true;
  });
}
