/**
 * Wires certificate issuance: CA keys from the store (created and sealed on first start), the
 * ledger, the Linux VM Sign-In token check, the directory, and conditional access. Routes get a
 * `CertificateService` and nothing else.
 */
import { randomUUID } from "node:crypto";
import type { SignInLogRepository } from "../audit/index.ts";
import type { CaKeyRecord } from "../ca/index.ts";
import {
  activeCaKey,
  type CertificateLedger,
  type CertificateSubject,
  createCaKey,
  openCaSigner,
  type ReplayCache,
  type RequestContext,
  requestCertificate,
  trustedCaKeys,
  type VerifiedSignInToken,
} from "../ca/index.ts";
import type { DirectoryRepository, Principal } from "../directory/index.ts";
import {
  type ConditionalAccessPolicy,
  type ConditionalAccessRepository,
  claimsChallenge,
  evaluateConditionalAccess,
  LINUX_VM_SIGN_IN_APP,
  loadTenantPolicies,
  type NamedLocation,
  type PolicyEvaluation,
} from "../policy/index.ts";
import { HostpassError } from "../shared/errors.ts";
import { fingerprintSha256, formatPublicKey, type KeyType, parsePublicKey } from "../ssh/index.ts";
import type { App } from "./app.ts";
import { authMethodsOf, deviceOf, logSignIn, riskOf } from "./certificate-signals.ts";
import type { AuditSink } from "./deps.ts";
import { registerGetSshCa } from "./routes/ssh/get-ssh-ca.ts";
import { registerPostSshCertificate } from "./routes/ssh/post-ssh-certificate.ts";

export interface CertificateService {
  request(input: {
    authorization: string | undefined;
    dpop: string | undefined;
    device?: string | undefined;
    publicKey: string;
    ip: string;
    userAgent: string;
  }): Promise<{
    certificate: string;
    serial: string;
    keyId: string;
    principal: string;
    validAfter: string;
    validBefore: string;
  }>;
  caKeys(): Promise<{ userCaKeys: string[]; hostCaKeys: string[] }>;
}

/** What the CA wiring needs from the store (implemented by src/store's repositories). */
export interface CaKeyStore {
  list(): Promise<readonly CaKeyRecord[]>;
  insert(record: CaKeyRecord): Promise<void>;
}

/** The conditional access configuration of a tenant; empty until policies are stored. */
export type PolicySource = (
  tenantId: string,
) => Promise<{ policies: readonly ConditionalAccessPolicy[]; locations: readonly NamedLocation[] }>;

export interface CertificateWiring {
  /** `https://host:port`: the URL clients use, which DPoP proofs must name. */
  readonly publicUrl: string;
  readonly caKeys: CaKeyStore;
  readonly kek: Uint8Array;
  readonly ledger: CertificateLedger;
  readonly replay: ReplayCache;
  readonly directory: DirectoryRepository;
  readonly verifyAccessToken: (token: string) => Promise<VerifiedSignInToken>;
  readonly groupIdsOf: (tenantId: string, principalId: string) => Promise<readonly string[]>;
  readonly policies: PolicySource;
  /** Every decision, for the activity and sign-in logs. */
  /** The sign-in log (Linux VM Sign-In entries with the conditional access evaluations). */
  readonly signInLog?: Pick<SignInLogRepository, "append"> & Partial<Pick<SignInLogRepository, "query">>;
  readonly record?: (event: {
    tenantId: string;
    actor: string;
    result: "success" | "failure";
    details: Record<string, unknown>;
  }) => Promise<void>;
  readonly caKeyType?: KeyType;
  /** The configured certificate lifetime (default: the CA's, 1 hour). */
  readonly certificateLifetimeSeconds?: number;
  readonly now?: () => Date;
}

/** Makes sure an active user CA and host CA exist (first start), and returns all CA records. */
export async function ensureCaKeys(
  store: CaKeyStore,
  kek: Uint8Array,
  keyType: KeyType,
  now: Date,
): Promise<readonly CaKeyRecord[]> {
  let records = await store.list();
  for (const purpose of ["user", "host"] as const) {
    if (!records.some((r) => r.purpose === purpose && r.state === "active")) {
      await store.insert({ ...createCaKey(purpose, keyType, kek, now), state: "active" });
      records = await store.list();
    }
  }
  return records;
}

function subjectOf(principal: Principal | undefined): CertificateSubject | undefined {
  if (!principal || (principal.kind !== "user" && principal.kind !== "servicePrincipal")) return undefined;
  return {
    kind: principal.kind,
    tenantId: principal.tenantId,
    objectId: principal.id,
    linuxName: principal.linuxName,
    enabled: principal.enabled,
  };
}

export async function createCertificateService(w: CertificateWiring): Promise<CertificateService> {
  const now = w.now ?? (() => new Date());
  const records = await ensureCaKeys(w.caKeys, w.kek, w.caKeyType ?? "ssh-ed25519", now());
  const active = activeCaKey(records, "user");
  const signer = openCaSigner(active, w.kek);
  // A CA or host CA key is never certified as a user key (PRODUCT.md §4).
  const reserved = new Set(records.map((r) => fingerprintSha256(parsePublicKey(r.publicKey).blob)));
  const issuer = {
    signer,
    caKeyId: active.id,
    ledger: w.ledger,
    reservedKeys: { isReserved: (fp: string) => reserved.has(fp) },
    ...(w.certificateLifetimeSeconds ? { defaultLifetimeSeconds: w.certificateLifetimeSeconds } : {}),
    now,
  };
  return {
    async request(input) {
      let token: VerifiedSignInToken | undefined;
      let subject: CertificateSubject | undefined;
      let evaluated: readonly PolicyEvaluation[] = [];
      const decideAccess = async (
        who: CertificateSubject,
        t: VerifiedSignInToken,
        context: RequestContext,
      ) => {
        const { policies, locations } = await w.policies(who.tenantId);
        const groupIds = await w.groupIdsOf(who.tenantId, who.objectId);
        const device = await deviceOf(w.directory, who, context.deviceThumbprint);
        const result = evaluateConditionalAccess(
          policies,
          {
            principal: {
              id: who.objectId,
              kind: who.kind === "user" ? "user" : "servicePrincipal",
              groupIds,
            },
            appId: LINUX_VM_SIGN_IN_APP,
            ip: context.ip,
            platform: device?.platform ?? "other",
            ...(device ? { device } : {}),
            session: { authMethods: authMethodsOf(t.amr), authTime: new Date((t.authTime ?? 0) * 1000) },
            // The log is read only when some policy has a sign-in risk condition.
            risk: policies.some((p) => p.state !== "disabled" && p.conditions.signInRiskLevels?.length)
              ? await riskOf(w, who, context.ip, now())
              : "none",
            now: now(),
          },
          locations,
        );
        evaluated = result.evaluated;
        const challenge = claimsChallenge(result);
        if (challenge) throw challenge;
        return {
          ...(result.certificateLifetimeCap !== undefined
            ? { lifetimeCapSeconds: result.certificateLifetimeCap }
            : {}),
          policiesApplied: result.evaluated.filter((e) => e.applied).map((e) => e.policyId),
        };
      };
      try {
        const out = await requestCertificate(
          {
            verifyAccessToken: async (t) => (token = await w.verifyAccessToken(t)),
            replay: w.replay,
            findSubject: async (t) =>
              (subject = subjectOf(await w.directory.getPrincipal(t.tenantId, t.objectId))),
            decideAccess,
            issuer,
          },
          { ...input, method: "POST", url: `${w.publicUrl}/ssh/certificates` },
        );
        const details = {
          serial: out.issued.serial.toString(),
          principal: out.issued.principal,
          keyFingerprint: out.issued.keyFingerprint,
          policies: out.issued.policies,
        };
        await w.record?.({
          tenantId: out.subject.tenantId,
          actor: out.subject.objectId,
          result: "success",
          details,
        });
        await logSignIn(w, input, token, subject, evaluated, undefined);
        return {
          certificate: out.text,
          serial: details.serial,
          keyId: out.issued.keyId,
          principal: out.issued.principal,
          validAfter: out.issued.validAfter.toISOString(),
          validBefore: out.issued.validBefore.toISOString(),
        };
      } catch (error) {
        if (token) {
          const e = error as { code?: string; message?: string };
          await w.record?.({
            tenantId: token.tenantId,
            actor: token.objectId,
            result: "failure",
            details: { code: e.code, reason: e.message },
          });
          await logSignIn(w, input, token, subject, evaluated, error);
        }
        throw error;
      }
    },
    async caKeys() {
      const all = await w.caKeys.list();
      const lines = (purpose: "user" | "host") => trustedCaKeys(all, purpose).map((k) => formatPublicKey(k));
      return { userCaKeys: lines("user"), hostCaKeys: lines("host") };
    },
  };
}

/** The store's side of issuance, as `openStore` exposes it. */
export interface SshStores {
  readonly caKeys: CaKeyStore;
  readonly certificates: CertificateLedger;
  readonly proofReplay: ReplayCache;
  readonly directory: DirectoryRepository;
  readonly conditionalAccess: ConditionalAccessRepository;
  readonly signInLog: SignInLogRepository;
}

export interface SshWiring {
  /** Registers `/ssh/certificates` and `/ssh/ca` (outside the management API's token check). */
  mount(app: App): void;
  /** Binds issuance to the authorization server once the public URL is known. */
  start(
    publicUrl: string,
    tokens: { verifyLinuxSignInToken(token: string): Promise<VerifiedSignInToken> },
  ): Promise<void>;
}

/** Until `start`, the routes answer 503: the issuer (and so token verification) is not known yet. */
export function wireSsh(
  stores: SshStores,
  kek: Uint8Array,
  audit: AuditSink,
  certificateLifetimeSeconds?: number,
): SshWiring {
  let service: CertificateService | undefined;
  const late: CertificateService = {
    request: (input) => started().request(input),
    caKeys: () => started().caKeys(),
  };
  const started = () => {
    if (!service) throw new ServiceStartingError("the certificate authority is starting");
    return service;
  };
  return {
    mount(app) {
      registerPostSshCertificate(app, late);
      registerGetSshCa(app, late);
    },
    async start(publicUrl, tokens) {
      service = await createCertificateService({
        publicUrl,
        ...(certificateLifetimeSeconds ? { certificateLifetimeSeconds } : {}),
        caKeys: stores.caKeys,
        kek,
        ledger: stores.certificates,
        replay: stores.proofReplay,
        directory: stores.directory,
        verifyAccessToken: (token) => tokens.verifyLinuxSignInToken(token),
        groupIdsOf: (tenantId, id) => stores.directory.listTransitiveGroups(tenantId, id),
        policies: (tenantId) => loadTenantPolicies(stores.conditionalAccess, tenantId),
        signInLog: stores.signInLog,
        // Every issuance and refusal is in the activity log (PRODUCT.md §2).
        record: (event) =>
          audit.append({
            tenantId: event.tenantId,
            actor: event.actor,
            action: "Ssh/certificates/issue",
            target: "/ssh/certificates",
            result: event.result,
            correlationId: randomUUID(),
            details: event.details,
          }),
      });
    },
  };
}

class ServiceStartingError extends HostpassError {
  readonly code = "ERR_SERVICE_STARTING";
  readonly kind = "unavailable";
}
