/**
 * The certificate request as the HTTP edge sees it: an access token for Linux VM Sign-In, a DPoP
 * proof made with the SSH key, the key itself. Authenticate the token (DPoP-bound only) → prove the
 * key, and that it is the key the token is bound to (`cnf.jkt`) → load the principal → conditional
 * access (which caps the lifetime or asks for more) → issue → record. Every dependency is injected,
 * so the server wires the real token verifier, directory, policy and ledger.
 */
import type { JWK } from "jose";
import { type Certificate, publicKeyToJwk, SshError, splitKeyLine } from "../ssh/index.ts";
import { verifyDeviceProof } from "./device-proof.ts";
import { CaProofInvalidError, CaSubjectRejectedError, CaTokenUnboundError } from "./errors.ts";
import {
  type CertificateSubject,
  type IssuedCertificate,
  type IssuerDeps,
  issueUserCertificate,
  type PermittedExtension,
} from "./issue-user-certificate.ts";
import { jwkThumbprint } from "./lib/request-proof.ts";
import { type ReplayCache, verifyKeyProof } from "./proof-of-possession.ts";

/** What the CA needs to know from a verified access token. */
export interface VerifiedSignInToken {
  readonly tokenId: string;
  readonly objectId: string;
  readonly tenantId: string;
  readonly identityType: "user" | "app";
  /** The OAuth client the token was issued to (the CLI, or the service principal's app id). */
  readonly clientId?: string;
  readonly amr: readonly string[];
  readonly authTime: number | undefined;
  /** The DPoP key thumbprint the token is bound to (`cnf.jkt`); a token without it is refused. */
  readonly confirmationJkt: string | undefined;
}

export interface AccessDecision {
  readonly lifetimeCapSeconds?: number;
  readonly extensions?: readonly PermittedExtension[];
  readonly policiesApplied: readonly string[];
}

export interface RequestContext {
  readonly ip: string;
  readonly userAgent: string;
  /** The thumbprint of a registered device key the caller proved it holds (device proof). */
  readonly deviceThumbprint?: string;
}

export interface CertificateRequestDeps {
  /** Throws an `unauthenticated` HostpassError for any unusable token. */
  verifyAccessToken(token: string): Promise<VerifiedSignInToken>;
  readonly replay: ReplayCache;
  findSubject(token: VerifiedSignInToken): Promise<CertificateSubject | undefined>;
  /** Conditional access; throws the claims challenge or block error when the sign-in falls short. */
  decideAccess(
    subject: CertificateSubject,
    token: VerifiedSignInToken,
    context: RequestContext,
  ): Promise<AccessDecision>;
  readonly issuer: IssuerDeps;
}

export interface CertificateRequest extends RequestContext {
  readonly authorization: string | undefined;
  readonly dpop: string | undefined;
  readonly method: string;
  readonly url: string;
  /** The key to certify, `type base64` form; must be the key that signed the proof. */
  readonly publicKey: string;
  /** An optional device proof (`X-Hostpass-Device` header), for device-compliance policies. */
  readonly device?: string | undefined;
}

const AUTHORIZATION = /^(Bearer|DPoP) ([A-Za-z0-9_.~+/-]+=*)$/;

/** The access token of an `Authorization: Bearer|DPoP <token>` header, or undefined. */
export function accessTokenOf(
  authorization: string | undefined,
): { scheme: "Bearer" | "DPoP"; token: string } | undefined {
  const match = AUTHORIZATION.exec(authorization ?? "");
  if (!match) return undefined;
  return { scheme: match[1] as "Bearer" | "DPoP", token: match[2] as string };
}

export async function requestCertificate(
  deps: CertificateRequestDeps,
  req: CertificateRequest,
): Promise<{
  certificate: Certificate;
  text: string;
  issued: IssuedCertificate;
  subject: CertificateSubject;
}> {
  const presented = accessTokenOf(req.authorization);
  if (!presented)
    throw new CaProofInvalidError(
      "a DPoP-bound access token for Linux VM Sign-In is required (Authorization: DPoP <token>)",
    );
  const { scheme, token: accessToken } = presented;
  const token = await deps.verifyAccessToken(accessToken);
  // Sender-constrained only (issue 11 item 5): an unbound token is refused before anything else,
  // and a bound one is presented with the DPoP scheme (RFC 9449 §7.1).
  if (token.confirmationJkt === undefined) throw new CaTokenUnboundError();
  if (scheme !== "DPoP")
    throw new CaProofInvalidError("a DPoP-bound access token is presented as `Authorization: DPoP <token>`");
  const key = await verifyKeyProof(req.dpop ?? "", {
    method: req.method,
    url: req.url,
    accessToken,
    nowMs: deps.issuer.now().getTime(),
    replay: deps.replay,
  });
  // The key to certify is compared by its wire bytes with the proof's key, which verifyKeyProof
  // has already parsed and checked: equal bytes are that key (no second key object to build).
  let offered: ReturnType<typeof splitKeyLine>;
  try {
    offered = splitKeyLine(req.publicKey);
  } catch (cause) {
    if (cause instanceof SshError) throw cause;
    throw new CaProofInvalidError("publicKey is not an SSH public key", { cause });
  }
  if (Buffer.compare(offered.blob, key.blob) !== 0)
    throw new CaProofInvalidError("the proof was made with another key than the one to certify");
  // The proof's key (the key to certify) must be the key the token is bound to.
  const jkt = jwkThumbprint(publicKeyToJwk(key) as JWK);
  if (token.confirmationJkt !== jkt)
    throw new CaProofInvalidError(
      "the access token is bound to another key than the one that made the proof",
    );
  const deviceThumbprint =
    req.device === undefined
      ? undefined
      : await verifyDeviceProof(req.device, {
          method: req.method,
          url: req.url,
          accessToken,
          nowMs: deps.issuer.now().getTime(),
          replay: deps.replay,
        });
  const subject = await deps.findSubject(token);
  if (!subject) throw new CaSubjectRejectedError("the principal does not exist");
  const decision = await deps.decideAccess(subject, token, {
    ip: req.ip,
    userAgent: req.userAgent,
    ...(deviceThumbprint ? { deviceThumbprint } : {}),
  });
  const issued = await issueUserCertificate(deps.issuer, {
    subject,
    publicKey: key,
    tokenId: token.tokenId,
    ...(decision.lifetimeCapSeconds !== undefined ? { lifetimeCapSeconds: decision.lifetimeCapSeconds } : {}),
    ...(decision.extensions ? { extensions: decision.extensions } : {}),
    policiesApplied: decision.policiesApplied,
  });
  return { ...issued, subject };
}
