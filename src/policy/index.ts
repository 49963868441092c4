/** Conditional access: policies, named locations, sign-in risk and the decision at issuance. */
export {
  type AssessSignInRiskOptions,
  assessSignInRisk,
  RISK_REASONS,
  type RiskReason,
  type SignInAttempt,
  type SignInHistoryEntry,
  type SignInRisk,
} from "./assess-sign-in-risk.ts";
export { claimsChallenge } from "./claims-challenge.ts";
export {
  AccessBlockedError,
  InteractionRequiredError,
  InvalidPolicyError,
  InvalidSignInContextError,
  PolicyError,
} from "./errors.ts";
export { evaluateConditionalAccess } from "./evaluate-conditional-access.ts";
export {
  deleteNamedLocation,
  loadPoliciesForEvaluation,
  loadTenantPolicies,
  PolicyConflictError,
  putNamedLocation,
  putPolicy,
  type TenantPolicies,
} from "./manage-policies.ts";
export { locateIp, MAX_RANGES_PER_LOCATION, validateNamedLocation } from "./named-location.ts";
export type { ConditionalAccessRepository } from "./repository.ts";
export {
  ALL_TRUSTED,
  AUTH_METHODS,
  type AuthMethod,
  CLIENT_PLATFORMS,
  type ClientPlatform,
  type ConditionalAccessPolicy,
  type ConditionalAccessResult,
  canonicalAppId,
  DEVICE_STATES,
  type DeviceRecord,
  type DeviceState,
  FREQUENCY_UNITS,
  type FrequencyUnit,
  GRANT_CONTROLS,
  GRANT_OPERATORS,
  type GrantControl,
  type GrantOperator,
  type IncludeExclude,
  type IpRange,
  LINUX_VM_SIGN_IN_APP,
  LINUX_VM_SIGN_IN_APP_NAME,
  type NamedLocation,
  POLICY_RESULTS,
  POLICY_STATES,
  type PolicyEvaluation,
  type PolicyResult,
  type PolicyState,
  REQUIREMENTS,
  type Requirement,
  RISK_LEVELS,
  type RiskLevel,
  SEED_LINUX_VM_SIGN_IN_APP,
  type SignInContext,
} from "./types.ts";
export {
  frequencySeconds,
  type ValidatePolicyOptions,
  validateConditionalAccessPolicy,
} from "./validate-policy.ts";
