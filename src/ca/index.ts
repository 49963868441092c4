/** The SSH certificate authority: key policy, proof of possession, CA keys, issuance. */

export {
  type AccessSignalSource,
  type AccessSignals,
  authMethodsOf,
  decideIssuanceAccess,
  deviceOf,
  type RegisteredDevice,
  riskOf,
} from "./access-signals.ts";
export { type CaKeyring, type CaKeySource, type CaKeyView, createCaKeyring } from "./ca-keyring.ts";
export {
  activeCaKey,
  CA_KEY_STATES,
  CA_PURPOSES,
  type CaKeyRecord,
  type CaKeyState,
  type CaPurpose,
  createCaKey,
  openCaSigner,
  openPrivateKey,
  rotate,
  sealPrivateKey,
  trustedCaKeys,
} from "./ca-keys.ts";
export {
  type CaKeyDescription,
  describeCaKey,
  MAX_CERTIFICATE_SERIAL,
  nextRotationStep,
  parseCertificateSerial,
  planRotation,
  RETIRE_MARGIN_SECONDS,
  ROTATION_STEPS,
  type RotationOptions,
  type RotationPlan,
  type RotationStep,
  revokeCertificate,
  type SingleRevocationStore,
} from "./ca-operations.ts";
export { CA_CHANGE_KINDS, type CaChange, isCaChange } from "./changes.ts";
export { createDeviceProof, verifyDeviceProof } from "./device-proof.ts";
export {
  CaInvalidSerialError,
  CaKeyRejectedError,
  CaKeyUnavailableError,
  CaProofInvalidError,
  CaRetireTooEarlyError,
  CaRotationStepError,
  CaSubjectRejectedError,
  CaTokenUnboundError,
  CertificateNotFoundError,
} from "./errors.ts";
export { HOST_CERTIFICATE_LIFETIME_SECONDS, signHostCertificates } from "./host-certificates.ts";
export { buildHostKrl, type HostKrl, type KrlRevocations } from "./host-krl.ts";
export {
  type CertificateIssuance,
  createCertificateIssuance,
  type IssuanceAnswer,
  type IssuanceDeps,
  type IssuanceEvent,
  type IssuanceInput,
  type IssuanceRecords,
  type UsedProof,
} from "./issuance.ts";
export {
  BACKDATE_SECONDS,
  type CertificateLedger,
  type CertificateSubject,
  DEFAULT_LIFETIME_SECONDS,
  type IssuedCertificate,
  type IssueRequest,
  type IssuerDeps,
  issueUserCertificate,
  keyIdFor,
  PERMITTED_EXTENSIONS,
  type PermittedExtension,
} from "./issue-user-certificate.ts";
export { createKeyProof } from "./key-proof.ts";
export {
  MemoryReplayCache,
  PROOF_ALGORITHMS,
  type ProofRequirements,
  type ReplayCache,
  verifyKeyProof,
} from "./proof-of-possession.ts";
export {
  type AccessDecision,
  accessTokenOf,
  type CertificateRequest,
  type CertificateRequestDeps,
  type RequestContext,
  requestCertificate,
  type VerifiedSignInToken,
} from "./request-certificate.ts";
export {
  type CertificateRevocationStore,
  type RevokeCertificatesInput,
  revokeCertificatesOf,
} from "./revoke-certificates-of.ts";
export { checkUserKey, MIN_RSA_BITS, type ReservedKeys } from "./user-key-policy.ts";
