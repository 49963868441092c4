/** OpenSSH keys, certificates and KRLs on node:crypto. Pure functions, no I/O. */
export {
  type Certificate,
  type CertificateFields,
  type CertificateKind,
  type CertificateType,
  certificateTypeOf,
  FOREVER,
  formatCertificate,
  isCertificateTypeName,
  isValidAt,
  MAX_PRINCIPALS,
  type OptionList,
  parseCertificate,
  signCertificate,
} from "./certificate.ts";
export {
  SshCertificateError,
  SshError,
  SshFormatError,
  SshInvalidKeyError,
  SshKrlError,
  SshSignatureAlgorithmError,
  SshSignatureInvalidError,
  SshUnsupportedTypeError,
} from "./errors.ts";
export {
  fingerprintSha256,
  formatPublicKey,
  isKeyType,
  KEY_TYPES,
  type KeyType,
  type PublicKey,
  parsePublicKeyBlob,
  publicKeyFromJwk,
  publicKeyFromKeyObject,
  publicKeysEqual,
  publicKeyToJwk,
  sha256,
} from "./keys.ts";
export {
  encodeKrl,
  isRevoked,
  type Krl,
  type KrlCertificateSection,
  type KrlInput,
  parseKrl,
  type SerialRange,
} from "./krl.ts";
export { formatPrivateKey, generateKeyPair, type KeyPair, parsePrivateKey } from "./private-key.ts";
export {
  algorithmsFor,
  keyObjectSigner,
  SIGNATURE_ALGORITHMS,
  type SignatureAlgorithm,
  type Signer,
  verifySignature,
} from "./signature.ts";
export {
  type KeyLine,
  parseCertificateText,
  parseKeyOrCertificate,
  parsePublicKey,
  splitKeyLine,
} from "./text.ts";
export { renderCertAuthorityLine, renderTrustedUserCaKeys } from "./trust-lines.ts";
