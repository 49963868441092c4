/**
 * Certificate issuance as one use case: the HTTP edge hands it the request as it came (access
 * token, DPoP proof, optional device proof, the key, the caller's address) and gets the answer or
 * a HostpassError. Everything in between is here: token → proof of possession → principal →
 * conditional access (access-signals.ts) → sign with the current CA key (ca-keyring.ts, which
 * follows rotation) → record.
 *
 * Records: an issued certificate's ledger row, its activity-log event and its sign-in entry are
 * written in ONE transaction (`IssuanceRecords.issued`), and the certificate is returned only once
 * that committed: a failure to record fails the issuance, and no certificate exists that is not in
 * both the ledger and the activity log. A refusal changes nothing; its event and sign-in entry are
 * recorded after the fact, with a stable code and a short public reason (`shared/public-failure.ts`),
 * never internal text.
 */
import { randomUUID } from "node:crypto";
import type { SignInLogEntry } from "../audit/index.ts";
import { LINUX_VM_SIGN_IN_APP, type PolicyEvaluation } from "../policy/index.ts";
import type { Clock } from "../shared/clock.ts";
import { ExpiringCache } from "../shared/expiring-cache.ts";
import { failureReasonOf, publicFailureOf } from "../shared/public-failure.ts";
import { formatPublicKey } from "../ssh/index.ts";
import { type AccessSignalSource, decideIssuanceAccess } from "./access-signals.ts";
import type { CaKeyring } from "./ca-keyring.ts";
import type { CertificateSubject, IssuedCertificate } from "./issue-user-certificate.ts";
import type { ReplayCache } from "./proof-of-possession.ts";
import { requestCertificate, type VerifiedSignInToken } from "./request-certificate.ts";

/** A certificate request as the edge received it. */
export interface IssuanceInput {
  readonly authorization: string | undefined;
  readonly dpop: string | undefined;
  /** `X-Hostpass-Device`: an optional device proof, for device-compliance policies. */
  readonly device?: string | undefined;
  /** The key to certify, `type base64` form. */
  readonly publicKey: string;
  readonly ip: string;
  readonly userAgent: string;
}

export interface IssuanceAnswer {
  readonly certificate: string;
  readonly serial: string;
  readonly keyId: string;
  readonly principal: string;
  readonly validAfter: string;
  readonly validBefore: string;
}

/** The activity-log event of one issuance or refusal (action `Ssh/certificates/issue`). */
export interface IssuanceEvent {
  readonly tenantId: string;
  readonly actor: string;
  readonly result: "success" | "failure";
  readonly details: Readonly<Record<string, unknown>>;
}

/** A proof id (DPoP `jti`, device proof) that must be recorded as used, and until when. */
export interface UsedProof {
  readonly id: string;
  readonly expiresAtMs: number;
}

/** Where issuance leaves its records (the server implements it over the store). */
export interface IssuanceRecords {
  /**
   * Ledger row, activity-log event, sign-in entry and the request's proof ids, in one
   * transaction; resolves once committed. A proof id already recorded fails it (a replay:
   * `CaProofInvalidError`), and nothing of it is written.
   */
  issued(record: {
    readonly certificate: IssuedCertificate;
    readonly event: IssuanceEvent;
    readonly signIn: SignInLogEntry;
    readonly proofs: readonly UsedProof[];
  }): Promise<void>;
  /** A refusal of an authenticated caller: its event and sign-in entry. */
  refused(record: { readonly event: IssuanceEvent; readonly signIn: SignInLogEntry }): Promise<void>;
}

export interface IssuanceDeps {
  /** The URL of the issuance endpoint, which DPoP proofs must name (`<public URL>/ssh/certificates`). */
  readonly url: string;
  readonly clock: Clock;
  /** Throws an `unauthenticated` HostpassError for any unusable token. */
  verifyAccessToken(token: string): Promise<VerifiedSignInToken>;
  findSubject(tenantId: string, objectId: string): Promise<CertificateSubject | undefined>;
  readonly signals: AccessSignalSource;
  readonly keyring: CaKeyring;
  readonly records: IssuanceRecords;
  /** The configured certificate lifetime (default: the CA's, 1 hour). */
  readonly defaultLifetimeSeconds?: number;
}

export interface CertificateIssuance {
  request(input: IssuanceInput): Promise<IssuanceAnswer>;
  /** The CA keys clients and hosts should trust now, `type base64` lines. */
  caKeys(): Promise<{ userCaKeys: string[]; hostCaKeys: string[] }>;
}

/** What the sign-in log calls the outcome of a request that failed with `error`. */
function resultOf(error: unknown): SignInLogEntry["result"] {
  const code = (error as { code?: string } | undefined)?.code;
  if (code === "ERR_INTERACTION_REQUIRED") return "interrupted";
  if (code === "ERR_ACCESS_BLOCKED") return "denied";
  return "failure";
}

export function createCertificateIssuance(deps: IssuanceDeps): CertificateIssuance {
  const now = () => new Date(deps.clock());
  // Proof ids are recorded as used with the certificate (IssuanceRecords.issued), where the store
  // decides atomically; this process's memory of recent ids refuses an obvious replay early. It
  // is only a filter, so when full it forgets the oldest (refusing would turn away new proofs
  // above ~800 issuances/s).
  const recent = new ExpiringCache<string, true>({
    max: 100_000,
    ttlMs: 120_000,
    clock: deps.clock,
    whenFull: "evict",
  });

  const signInOf = (
    input: IssuanceInput,
    token: VerifiedSignInToken,
    subject: CertificateSubject | undefined,
    evaluated: readonly PolicyEvaluation[],
    error: unknown,
  ): SignInLogEntry => {
    const mfa = token.amr.find((m) => m === "otp" || m === "hwk");
    const failure = error === undefined ? undefined : failureReasonOf(error);
    return {
      id: randomUUID(),
      time: now(),
      tenantId: token.tenantId,
      principalId: token.objectId,
      ...(subject ? { principalName: subject.linuxName, principalKind: subject.kind } : {}),
      ...(token.clientId ? { appId: token.clientId } : {}),
      resource: LINUX_VM_SIGN_IN_APP,
      ip: input.ip,
      userAgent: input.userAgent,
      result: error === undefined ? "success" : resultOf(error),
      ...(failure ? { failureReason: failure } : {}),
      ...(mfa ? { mfaMethod: mfa === "otp" ? "totp" : "passkey" } : {}),
      policies: evaluated,
      correlationId: randomUUID(),
    };
  };

  return {
    async request(input) {
      let token: VerifiedSignInToken | undefined;
      let subject: CertificateSubject | undefined;
      let evaluated: readonly PolicyEvaluation[] = [];
      const proofs: UsedProof[] = [];
      const replay: ReplayCache = {
        use: (id, expiresAtMs) => {
          if (recent.has(id)) return false;
          recent.setUntil(id, true, expiresAtMs);
          proofs.push({ id, expiresAtMs });
          return true;
        },
      };
      try {
        const keys = await deps.keyring.current();
        const out = await requestCertificate(
          {
            verifyAccessToken: async (t) => (token = await deps.verifyAccessToken(t)),
            replay,
            findSubject: async (t) => (subject = await deps.findSubject(t.tenantId, t.objectId)),
            decideAccess: (who, t, context) =>
              decideIssuanceAccess(deps.signals, who, t, context, now(), (e) => (evaluated = e)),
            issuer: {
              signer: keys.signer,
              caKeyId: keys.caKeyId,
              reservedKeys: keys.reservedKeys,
              now,
              ...(deps.defaultLifetimeSeconds ? { defaultLifetimeSeconds: deps.defaultLifetimeSeconds } : {}),
              // The ledger row commits with the activity-log event and the sign-in entry.
              ledger: {
                record: (issued) =>
                  deps.records.issued({
                    certificate: issued,
                    event: {
                      tenantId: issued.tenantId,
                      actor: issued.objectId,
                      result: "success",
                      details: {
                        serial: issued.serial.toString(),
                        principal: issued.principal,
                        keyFingerprint: issued.keyFingerprint,
                        policies: issued.policies,
                      },
                    },
                    signIn: signInOf(input, token as VerifiedSignInToken, subject, evaluated, undefined),
                    proofs,
                  }),
              },
            },
          },
          { ...input, method: "POST", url: deps.url },
        );
        return {
          certificate: out.text,
          serial: out.issued.serial.toString(),
          keyId: out.issued.keyId,
          principal: out.issued.principal,
          validAfter: out.issued.validAfter.toISOString(),
          validBefore: out.issued.validBefore.toISOString(),
        };
      } catch (error) {
        if (token) {
          await deps.records.refused({
            event: {
              tenantId: token.tenantId,
              actor: token.objectId,
              result: "failure",
              details: { ...publicFailureOf(error) },
            },
            signIn: signInOf(input, token, subject, evaluated, error),
          });
        }
        throw error;
      }
    },
    async caKeys() {
      const { trusted } = await deps.keyring.current();
      return {
        userCaKeys: trusted.user.map((k) => formatPublicKey(k)),
        hostCaKeys: trusted.host.map((k) => formatPublicKey(k)),
      };
    },
  };
}
