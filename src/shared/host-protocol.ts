/**
 * The host channel's contract (issue 7): what the service tells a host agent, and what the agent
 * reports back. Plain data shared by `server/` (which computes and streams it) and `agent/` (which
 * applies it to sshd, NSS, PAM and sudo files). Both sides treat the other's messages as untrusted
 * input and validate them; the agent in particular re-checks every name and number before any of
 * it reaches a file (a compromised or buggy service must not be able to write `root` or `a\nb`).
 *
 * Transport (server-sent events over HTTPS, one outbound stream per agent):
 *   GET  /agents/v1/stream?after=<version>   events below; `after` resumes after a version
 *   POST /agents/v1/reports                  `AgentReport`s (login attempts, extension results)
 *   GET  /ssh/krl                            the current KRL (binary), `ETag` = its sha256
 * The agent authenticates as its machine's managed identity with the key it made at join.
 *
 * Versions are the tenant's change-log versions: strictly increasing, so an agent that applied
 * version v can resume with `after=v` and never miss or double-apply a change. When the service
 * cannot replay from `after` (pruned log, first connection) it sends a `snapshot`.
 */

export const HOST_PROTOCOL_VERSION = 1;

/** What a principal may do on this host: `admin` = Virtual Machine Administrator Login (sudo). */
export const LOGIN_LEVELS = ["user", "admin"] as const;
export type LoginLevel = (typeof LOGIN_LEVELS)[number];

/** One directory principal allowed to log in to this host. */
export interface HostLogin {
  /** The principal's immutable object id. */
  readonly objectId: string;
  readonly kind: "user" | "servicePrincipal" | "managedIdentity";
  /** The POSIX account name (src/directory/linux-name.ts rules); also the certificate principal. */
  readonly linuxName: string;
  /** Allocated by the service, unique per tenant, never reused (>= 100000). */
  readonly uid: number;
  readonly level: LoginLevel;
  /** For the GECOS field; the agent strips anything but printable ASCII without `:` and `,`. */
  readonly displayName: string;
}

export const CA_KEY_STATUSES = ["next", "active", "previous"] as const;
export type CaKeyStatus = (typeof CA_KEY_STATUSES)[number];

/** A user-CA public key the host trusts (`TrustedUserCAKeys`), in OpenSSH one-line form. */
export interface TrustedCaKey {
  readonly id: string;
  readonly status: CaKeyStatus;
  /** `ssh-ed25519 AAAA... comment` */
  readonly publicKey: string;
}

/** The service's unreachable-service rule, in seconds since the last contact (docs/design-host-agent.md). */
export interface GraceRule {
  /** After this long without contact, admin rights (sudo) are dropped. */
  readonly adminSeconds: number;
  /** After this long, every directory login is removed (fail closed). */
  readonly allSeconds: number;
}

/** Everything the agent keeps on disk, as of one version. */
export interface HostState {
  readonly protocol: typeof HOST_PROTOCOL_VERSION;
  readonly version: number;
  readonly tenantId: string;
  /** The machine's canonical resource id. */
  readonly machineId: string;
  /** Whether the login extension (SSHLoginForLinux) is enabled: when false the agent restores the host. */
  readonly loginEnabled: boolean;
  readonly userCaKeys: readonly TrustedCaKey[];
  /** sha256 (hex) of the current KRL; the agent fetches `/ssh/krl` when it differs from its own. */
  readonly krlSha256: string;
  readonly logins: readonly HostLogin[];
  /** A host certificate for the host keys the agent registered, when the service signed one. */
  readonly hostCertificates: readonly string[];
  readonly grace: GraceRule;
}

/** A change to a `HostState`: only the fields present changed; `logins` are upserts by objectId. */
export interface HostStatePatch {
  readonly version: number;
  readonly loginEnabled?: boolean;
  readonly userCaKeys?: readonly TrustedCaKey[];
  readonly krlSha256?: string;
  readonly upsertLogins?: readonly HostLogin[];
  /** Object ids that may no longer log in here. */
  readonly removeLogins?: readonly string[];
  readonly hostCertificates?: readonly string[];
  readonly grace?: GraceRule;
}

/** One server-sent event on the stream (`event:` = `type`, `data:` = JSON of the rest). */
export type HostEvent =
  | { readonly type: "snapshot"; readonly state: HostState }
  | { readonly type: "patch"; readonly patch: HostStatePatch }
  /** Sent at least every 15 s; `version` is the latest version (nothing for this host changed). */
  | { readonly type: "heartbeat"; readonly version: number }
  /** The service asks the agent to end the live sessions of these Linux accounts. */
  | { readonly type: "terminateSessions"; readonly linuxNames: readonly string[] };

/** What the agent reports (POST /agents/v1/reports, a JSON array, at most 500 per request). */
export type AgentReport =
  | {
      readonly type: "login";
      /** When sshd logged it, epoch ms. */
      readonly at: number;
      readonly linuxName: string;
      readonly result: "success" | "failure";
      /** sshd's reason for a failure (e.g. `certificate revoked`, `principal not allowed`). */
      readonly reason?: string;
      readonly sourceAddress: string;
      readonly certificateSerial?: string;
      /** The certificate key id (`<objectId>@<tenantId>`). */
      readonly keyId?: string;
      readonly level?: LoginLevel;
    }
  | {
      readonly type: "extension";
      readonly at: number;
      readonly name: string;
      readonly provisioningState: "Succeeded" | "Failed";
      /** The seed's exit code on failure (22 no managed identity, 23 legacy extension). */
      readonly exitCode?: number;
      readonly message?: string;
    }
  | {
      readonly type: "applied";
      readonly at: number;
      /** The version now on disk. */
      readonly version: number;
    }
  | {
      /** Grace transitions while the service was unreachable, reported on reconnect. */
      readonly type: "grace";
      readonly at: number;
      readonly stage: "adminDropped" | "allDropped" | "restored";
    };
