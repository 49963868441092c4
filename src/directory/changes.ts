/**
 * The directory's entries in the tenant's change log (shared/change-log.ts): what a host needs to
 * know about principals and groups. The store records them in the transaction of the change.
 */
import { isChangeOf, type LoggedChange } from "../shared/change-log.ts";
import type { Principal, PrincipalKind } from "./types.ts";

/** A principal as a change carries it: the state after the change, whole. */
export interface PrincipalState {
  readonly id: string;
  readonly kind: PrincipalKind;
  readonly displayName: string;
  readonly enabled: boolean;
  /** Users and service principals: their POSIX account. */
  readonly linuxName?: string;
  readonly uid?: number;
  /** Managed identities: the owning VM or scale set. */
  readonly resourceId?: string;
}

export type DirectoryChange =
  /** Created, enabled or disabled, renamed: the whole state after the change. */
  | { readonly version: number; readonly kind: "principal.put"; readonly principal: PrincipalState }
  /** Deleted, with every membership it was part of (as member or as group). */
  | { readonly version: number; readonly kind: "principal.deleted"; readonly id: string }
  | {
      readonly version: number;
      readonly kind: "membership.added";
      readonly groupId: string;
      readonly memberId: string;
    }
  | {
      readonly version: number;
      readonly kind: "membership.removed";
      readonly groupId: string;
      readonly memberId: string;
    };

export const DIRECTORY_CHANGE_KINDS: ReadonlySet<string> = new Set([
  "principal.put",
  "principal.deleted",
  "membership.added",
  "membership.removed",
]);

export const isDirectoryChange = (c: LoggedChange): c is DirectoryChange =>
  isChangeOf<DirectoryChange>(DIRECTORY_CHANGE_KINDS, c);

export function principalState(p: Principal): PrincipalState {
  return {
    id: p.id,
    kind: p.kind,
    displayName: p.displayName,
    enabled: p.enabled,
    ...(p.kind === "user" || p.kind === "servicePrincipal" ? { linuxName: p.linuxName, uid: p.uid } : {}),
    ...(p.kind === "managedIdentity" ? { resourceId: p.resourceId } : {}),
  };
}
