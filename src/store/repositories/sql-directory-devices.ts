/** The device part of the SQL DirectoryRepository. */
import { DirectoryConflictError, type DirectoryRepository } from "../../directory/index.ts";
import { changed, insertOrConflict, millis, type StoreContext } from "../lib/context.ts";
import { toDevice } from "../lib/directory-rows.ts";
import { checkLimit, decodeCursor, pageOf } from "../lib/paging.ts";

type DeviceMethods = Pick<
  DirectoryRepository,
  | "insertDevice"
  | "getDevice"
  | "listDevices"
  | "findDeviceByThumbprint"
  | "setDeviceCompliant"
  | "deleteDevice"
>;

export function sqlDirectoryDeviceMethods(ctx: StoreContext): DeviceMethods {
  const { db } = ctx;
  const conflict = (what: string) => () => new DirectoryConflictError(`${what} already exists`);
  return {
    async insertDevice(d) {
      await insertOrConflict(
        ctx,
        () =>
          db
            .insertInto("devices")
            .values({
              id: d.id,
              tenant_id: d.tenantId,
              owner_id: d.ownerId ?? null,
              display_name: d.displayName,
              platform: d.platform,
              key_thumbprint: d.keyThumbprint,
              key_jwk: d.keyJwk ? JSON.stringify(d.keyJwk) : null,
              compliant: d.compliant,
              created_at: millis(d.createdAt),
              updated_at: millis(d.updatedAt),
            })
            .execute(),
        conflict("a device with this key"),
      );
    },
    async getDevice(tenantId, id) {
      const r = await db
        .selectFrom("devices")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .executeTakeFirst();
      return r && toDevice(r);
    },
    async listDevices(tenantId, page) {
      const limit = checkLimit(page.limit);
      const after = decodeCursor(page.cursor);
      let q = db.selectFrom("devices").selectAll().where("tenant_id", "=", tenantId);
      if (after !== undefined) q = q.where("id", ">", after);
      const rows = await q
        .orderBy("id")
        .limit(limit + 1)
        .execute();
      return pageOf(rows, limit, (r) => r.id, toDevice);
    },
    async findDeviceByThumbprint(tenantId, thumbprint) {
      const r = await db
        .selectFrom("devices")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("key_thumbprint", "=", thumbprint)
        .executeTakeFirst();
      return r && toDevice(r);
    },
    async setDeviceCompliant(tenantId, id, compliant, now) {
      const r = await db
        .updateTable("devices")
        .set({ compliant, updated_at: millis(now) })
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .executeTakeFirst();
      return changed(r);
    },
    async deleteDevice(tenantId, id) {
      const r = await db
        .deleteFrom("devices")
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .executeTakeFirst();
      return changed(r);
    },
  };
}
