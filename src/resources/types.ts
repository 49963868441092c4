/** The resource tree's records as the rest of hostpass sees them. */
import type { ResourceKind } from "./resource-id.ts";

/** One node of the tree, whatever its kind. Machines add the fields of `Machine`. */
export interface Resource {
  readonly kind: ResourceKind;
  /** Canonical id (see resource-id.ts). */
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  /**
   * Canonical id of the parent in the tree: a management group's parent group (none for the
   * tenant root group), a subscription's management group, a resource group's subscription,
   * a VM's or scale set's resource group, an instance's scale set.
   */
  readonly parentId: string | undefined;
  readonly displayName: string;
  /** Lower case, `[a-z0-9]{1,32}` (`local`, `westeurope`); empty for management groups and subscriptions. */
  readonly location: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NetworkInterface {
  readonly name: string;
  readonly privateIp: string | undefined;
  readonly publicIp: string | undefined;
}

export const PROVISIONING_STATES = ["Creating", "Updating", "Succeeded", "Failed", "Deleting"] as const;
export type ProvisioningState = (typeof PROVISIONING_STATES)[number];

export interface Extension {
  /** Instance name, e.g. `SSHLoginForLinux`. */
  readonly name: string;
  readonly publisher: string;
  readonly type: string;
  readonly version: string;
  readonly provisioningState: ProvisioningState;
  /** Public settings only. */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly updatedAt: Date;
}

export const AGENT_STATUSES = ["unknown", "ready", "notReady"] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/** The machine part of a VM, a scale set (its model) or a scale-set instance. */
export interface MachineProfile {
  readonly image: string;
  readonly adminUsername: string;
  readonly size: string;
  /** Object id of the system-assigned managed identity, if enabled. */
  readonly identityPrincipalId: string | undefined;
  readonly agentStatus: AgentStatus;
  readonly lastHeartbeatAt: Date | undefined;
  /** Scale set: its current model version. VM or instance: the model it runs. */
  readonly modelVersion: number;
  /** The local (break-glass) administrator's OpenSSH public key, when one was given. */
  readonly adminSshPublicKey?: string;
}

export interface Machine extends Resource, MachineProfile {
  readonly kind: "virtualMachine" | "virtualMachineScaleSet" | "virtualMachineScaleSetVm";
  readonly networkInterfaces: readonly NetworkInterface[];
  readonly extensions: readonly Extension[];
  /** Scale-set instances only: whether the instance runs the scale set's current model. */
  readonly latestModelApplied: boolean | undefined;
}

export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}
