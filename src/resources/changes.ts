/**
 * The resource tree's entries in the tenant's change log (shared/change-log.ts): where machines
 * sit in the tree (assignments are inherited down it) and what a host needs to know about its
 * machine. The store records them in the transaction of the change.
 */
import { isChangeOf, type LoggedChange } from "../shared/change-log.ts";
import type { ResourceKind } from "./resource-id.ts";
import type { ProvisioningState } from "./types.ts";

export interface ResourceState {
  /** The canonical id in lower case. */
  readonly key: string;
  readonly id: string;
  readonly kind: ResourceKind;
  /** Absent for the tenant root group. */
  readonly parentKey?: string;
}

/** What hosts depend on about a machine (not its heartbeat or model version). */
export interface MachineState {
  readonly key: string;
  readonly identityPrincipalId?: string;
  /** Private, then public addresses of its network interfaces, in order. */
  readonly addresses: readonly string[];
  readonly extensions: readonly {
    readonly name: string;
    readonly type: string;
    readonly provisioningState: ProvisioningState;
  }[];
}

export type ResourceChange =
  /** Created or moved to another parent. */
  | { readonly version: number; readonly kind: "resource.put"; readonly resource: ResourceState }
  | { readonly version: number; readonly kind: "resource.deleted"; readonly key: string }
  /** A machine's identity, addresses or extensions changed: its whole state after the change. */
  | { readonly version: number; readonly kind: "machine.put"; readonly machine: MachineState };

export const RESOURCE_CHANGE_KINDS: ReadonlySet<string> = new Set([
  "resource.put",
  "resource.deleted",
  "machine.put",
]);

export const isResourceChange = (c: LoggedChange): c is ResourceChange =>
  isChangeOf<ResourceChange>(RESOURCE_CHANGE_KINDS, c);
