/** The resource tree: management groups > subscriptions > resource groups > VMs and scale sets. */

export {
  isResourceChange,
  type MachineState,
  RESOURCE_CHANGE_KINDS,
  type ResourceChange,
  type ResourceState,
} from "./changes.ts";
export {
  ImageNotLinuxError,
  InvalidResourceIdError,
  InvalidResourceInputError,
  ResourceConflictError,
  ResourceError,
  ResourceNotFoundError,
  UnknownExtensionError,
} from "./errors.ts";
export {
  checkKnownExtension,
  isLegacyLoginExtension,
  isLoginExtension,
  LEGACY_LOGIN_EXTENSION_TYPE,
} from "./extensions.ts";
export {
  computerName,
  defaultNicName,
  type MachineHost,
  type MachineStartRequest,
  recordMachineAddress,
  startRegisteredMachine,
} from "./machine-host.ts";
export {
  addScaleSetInstance,
  type CreateMachineInput,
  createScaleSet,
  createVirtualMachine,
  deleteMachine,
  findMachinesByIp,
  getMachine,
  putExtension,
  recordHeartbeat,
  removeExtension,
  setMachineIdentity,
  updateScaleSetModel,
  upgradeScaleSetInstance,
} from "./machines.ts";
export { checkName, NAME_KINDS, NAME_RULES, type NameKind } from "./names.ts";
export type { ResourceRepository } from "./repository.ts";
export {
  isSameOrSyntacticAncestor,
  MAX_RESOURCE_ID_LENGTH,
  managementGroupId,
  parseResourceId,
  RESOURCE_KINDS,
  type ResourceId,
  type ResourceKind,
  resourceGroupId,
  scaleSetId,
  scaleSetInstanceId,
  subscriptionResourceId,
  syntacticChain,
  virtualMachineId,
} from "./resource-id.ts";
export { managementGroupsAbove, resolveScopeChain } from "./scope-chain.ts";
export {
  createManagementGroup,
  createResourceGroup,
  createRootManagementGroup,
  createSubscription,
  deleteResource,
  listChildren,
  MAX_MANAGEMENT_GROUP_DEPTH,
  moveUnderManagementGroup,
  requireResource,
} from "./tree.ts";
export {
  AGENT_STATUSES,
  type AgentStatus,
  type Extension,
  type Machine,
  type MachineProfile,
  type NetworkInterface,
  type Page,
  type PageRequest,
  PROVISIONING_STATES,
  type ProvisioningState,
  type Resource,
} from "./types.ts";
