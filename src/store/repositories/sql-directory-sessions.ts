/** The sign-in-session part of the SQL DirectoryRepository (migration 0060). */
import type { DirectoryRepository } from "../../directory/index.ts";
import { changed, millis, type StoreContext } from "../lib/context.ts";

export function sqlDirectorySessionMethods(ctx: StoreContext): Pick<DirectoryRepository, "voidSessions"> {
  return {
    async voidSessions(tenantId, id, before) {
      const at = millis(before);
      // Only forward: a clock that stepped back must not revive tokens an earlier revocation voided.
      const r = await ctx.db
        .updateTable("principals")
        .set((eb) => ({
          sessions_valid_from: eb
            .case()
            .when("sessions_valid_from", "<", at)
            .then(at)
            .else(eb.ref("sessions_valid_from"))
            .end(),
        }))
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .executeTakeFirst();
      return changed(r);
    },
  };
}
