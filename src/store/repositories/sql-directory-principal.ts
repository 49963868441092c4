/** Inserting the shared principals row (every user, group, service principal and identity has one). */
import { LinuxNameTakenError, type Principal, principalState } from "../../directory/index.ts";
import { recordChanges } from "../lib/change-log.ts";
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

/** The change-log entry of a principal's new state; in the transaction that wrote it. */
export function recordPrincipal(tx: StoreContext, p: Principal): Promise<number> {
  return recordChanges(tx, p.tenantId, [{ kind: "principal.put", principal: principalState(p) }]);
}
