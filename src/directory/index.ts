/** The directory: tenants, users, groups, service principals, managed identities, devices. */

export {
  type AgentCredential,
  AgentIdentityDisabledError,
  type AgentRepository,
  createJoinCode,
  hashJoinCode,
  JOIN_CODE_LIFETIME_MS,
  type JoinCodeRecord,
  JoinCodeRefusedError,
  NoManagedIdentityError,
  type RedeemJoinCodeDeps,
  redeemJoinCode,
} from "./agent-credentials.ts";
export { type ChangePasswordInput, changeOwnPassword, isPasswordChangeRequired } from "./change-password.ts";
export {
  DIRECTORY_CHANGE_KINDS,
  type DirectoryChange,
  isDirectoryChange,
  type PrincipalState,
  principalState,
} from "./changes.ts";
export { checkPublicJwk, generateClientSecret, hashClientSecret, type NewSecret } from "./credentials.ts";
export { getDevice, type RegisterDeviceInput, registerDevice, setDeviceCompliant } from "./devices.ts";
export {
  DeviceNotFoundError,
  DirectoryConflictError,
  DirectoryError,
  GroupCycleError,
  InvalidCredentialsError,
  InvalidDirectoryInputError,
  InvalidLinuxNameError,
  InvalidUpnError,
  type LinuxNameProblem,
  LinuxNameTakenError,
  PrincipalNotFoundError,
  TenantNotFoundError,
  UpnTakenError,
} from "./errors.ts";
export {
  addGroupMember,
  type CreateGroupInput,
  createGroup,
  groupClosure,
  removeGroupMember,
} from "./groups.ts";
export {
  LINUX_NAME_MAX_LENGTH,
  linuxNameForAppId,
  linuxNameFromUpn,
  RESERVED_LINUX_NAMES,
  validateLinuxName,
} from "./linux-name.ts";
export {
  type CreateManagedIdentityInput,
  createManagedIdentity,
  deleteManagedIdentity,
  getManagedIdentityOf,
  setManagedIdentityEnabled,
} from "./managed-identities.ts";
export { checkPasswordPolicy, hashPassword, needsRehash, verifyPassword } from "./password.ts";
export type { DirectoryRepository } from "./repository.ts";
export {
  addCertificateCredential,
  addClientSecret,
  createServicePrincipal,
  MAX_SECRET_LIFETIME_MS,
  removeCredential,
  verifyClientSecret,
} from "./service-principals.ts";
export {
  type RevokeSessionsInput,
  revokeSignInSessions,
  type SetEnabledInput,
  type SignInKind,
  setPrincipalEnabled,
} from "./sessions.ts";
export { type CreateTenantInput, createTenant, FIRST_UID, getTenant } from "./tenants.ts";
export {
  type CertificateCredential,
  type ClientSecret,
  DEVICE_PLATFORMS,
  type Device,
  type DevicePlatform,
  type Group,
  type ManagedIdentity,
  type Page,
  type PageRequest,
  PRINCIPAL_KINDS,
  type Principal,
  type PrincipalKind,
  type ServicePrincipal,
  type Tenant,
  type User,
} from "./types.ts";
export { type NormalizedUpn, normalizeUpn, UPN_MAX_LENGTH, upnKey } from "./upn.ts";
export {
  authenticateUser,
  type CreateUserInput,
  createUser,
  deleteUser,
  findUserByUpn,
  getUser,
  setUserEnabled,
  setUserPassword,
  tenantsOfUpn,
} from "./users.ts";
