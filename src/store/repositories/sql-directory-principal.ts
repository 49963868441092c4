/** Inserting the shared principals row (every user, group, service principal and identity has one). */
import { LinuxNameTakenError, type Principal } from "../../directory/index.ts";
import { insertOrConflict, millis, type StoreContext } from "../lib/context.ts";

export function insertPrincipal(c: StoreContext, p: Principal, posix?: { linuxName: string; uid: number }) {
  return insertOrConflict(
    c,
    () =>
      c.db
        .insertInto("principals")
        .values({
          id: p.id,
          tenant_id: p.tenantId,
          kind: p.kind,
          display_name: p.displayName,
          enabled: p.enabled,
          linux_name: posix?.linuxName ?? null,
          uid: posix?.uid ?? null,
          created_at: millis(p.createdAt),
        })
        .execute(),
    () => new LinuxNameTakenError("the Linux name or uid is already taken"),
  );
}
