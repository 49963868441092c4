/** The shapes of the API answers the pages read (the API's DTOs, as far as pages use them). */

export interface ListOf<T> {
  readonly value: readonly T[];
  readonly nextLink?: string;
}

export interface ResourceView {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly displayName: string;
  readonly location: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly parentId?: string;
  readonly createdAt: string;
}

export interface ExtensionView {
  readonly name: string;
  readonly publisher: string;
  readonly type: string;
  readonly typeHandlerVersion: string;
  readonly provisioningState: string;
  readonly updatedAt: string;
  /** Reported by the host agent when provisioning failed (the seed's exit codes: 22, 23). */
  readonly exitCode?: number;
  readonly message?: string;
}

export interface MachineView extends ResourceView {
  readonly resourceGroup: string;
  readonly image: string;
  readonly adminUsername: string;
  readonly size: string;
  readonly identity?: { readonly type: string; readonly principalId: string; readonly tenantId: string };
  readonly networkInterfaces: readonly { name: string; privateIp?: string; publicIp?: string }[];
  readonly privateIps: string;
  readonly publicIps: string;
  readonly extensions: readonly ExtensionView[];
  readonly agentStatus: string;
  readonly lastHeartbeatAt?: string;
  readonly modelVersion: number;
  readonly latestModelApplied?: boolean;
}

export interface RoleAssignmentView {
  readonly id: string;
  readonly name: string;
  readonly scope: string;
  readonly roleDefinitionId: string;
  readonly roleDefinitionName: string;
  readonly principalId: string;
  readonly principalType: string;
  readonly description: string;
  readonly createdOn: string;
  readonly createdBy: string;
}

export interface RoleDefinitionView {
  readonly id: string;
  readonly name: string;
  readonly roleName: string;
  readonly roleType: string;
  readonly description: string;
}

export interface DirectoryObjectView {
  readonly id: string;
  readonly kind: string;
  readonly displayName: string;
  readonly accountEnabled: boolean;
}

export interface UserView {
  readonly id: string;
  readonly userPrincipalName: string;
  readonly displayName: string;
  readonly accountEnabled: boolean;
  readonly linuxName: string;
  readonly uid: number;
  readonly createdDateTime: string;
}

export interface GroupView {
  readonly id: string;
  readonly displayName: string;
  readonly description: string;
  readonly createdDateTime: string;
}

export interface ServicePrincipalView {
  readonly id: string;
  readonly appId: string;
  readonly displayName: string;
  readonly accountEnabled: boolean;
  readonly linuxName: string;
  readonly uid: number;
  readonly createdDateTime: string;
}

export interface CheckAccessView {
  readonly allowed: boolean;
  readonly reason: string;
  readonly grantedBy?: {
    readonly assignmentId: string;
    readonly roleName: string;
    readonly scope: string;
    readonly principalId: string;
    readonly via?: string;
  };
}

/** Extension states after which nothing more will happen without a new request. */
export const FINAL_STATES: ReadonlySet<string> = new Set(["Succeeded", "Failed", "Canceled"]);
