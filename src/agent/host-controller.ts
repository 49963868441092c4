/**
 * The agent's decisions between the channel and the file layer: it holds the service's desired
 * state (persisted, so a restart resumes from the last applied version), the grace stage, and
 * the login extension's status, and applies the latest desired state whenever something changed,
 * one apply at a time (events that arrive meanwhile are coalesced into the next one).
 */
import type { Clock } from "../shared/clock.ts";
import { isHostpassError } from "../shared/errors.ts";
import type { AgentReport, HostState, HostStatePatch } from "../shared/host-protocol.ts";
import type { PublicKey } from "../ssh/index.ts";
import { type AgentStore, hostRecords } from "./agent-store.ts";
import { applyHostState } from "./apply-host-state.ts";
import { graceStage, nextGraceChange } from "./grace.ts";
import { sha256Hex } from "./host-files.ts";
import type { HostPaths } from "./host-paths.ts";
import { applyPatch } from "./host-state.ts";
import type { SystemTools } from "./lib/system-tools.ts";
import type { GraceStage, RefusedLogin } from "./plan-logins.ts";
import { restoreHost } from "./restore-host.ts";

export const EXTENSION_NAME = "SSHLoginForLinux";
const STATE_FILE = "agent-state.json";
const STATUS_FILE = "status.json";
/** A removed user's uid is remembered this long, so `terminateSessions` can still end their sessions. */
const REMEMBER_REMOVED_MS = 24 * 3600_000;
/** A failed apply (a host file in the way, sshd refusing the drop-in) is tried again this often. */
const RETRY_FAILED_MS = 30_000;

export type ExtensionStatus =
  | { readonly provisioningState: "Succeeded"; readonly enabled: boolean }
  | { readonly provisioningState: "Failed"; readonly exitCode?: number; readonly message: string };

interface PersistedState {
  readonly desired?: HostState;
  readonly lastContact?: number;
  readonly stage?: GraceStage;
  readonly removed?: Readonly<Record<string, { uid: number; until: number }>>;
  readonly extension?: ExtensionStatus;
}

export type AgentLog = (
  level: "info" | "warn" | "error",
  event: string,
  fields?: Record<string, unknown>,
) => void;

export interface ControllerOptions {
  readonly paths: HostPaths;
  readonly tools: SystemTools;
  readonly store: AgentStore;
  readonly clock: Clock;
  readonly log: AgentLog;
  readonly report: (report: AgentReport) => void;
  readonly hostKeys: () => Promise<PublicKey[]>;
  readonly fetchKrl?: () => Promise<Uint8Array>;
}

export class HostController {
  readonly #o: ControllerOptions;
  #state: PersistedState = {};
  #refused = false;
  #dirty = false;
  #running: Promise<void> | undefined;
  #krlOnDisk: string | undefined;
  #refusedLogins: readonly RefusedLogin[] = [];
  #krlPending = false;
  #lastError: unknown;
  #failedAt = 0;
  /** The service (re)sent the extension's state: report the result even when it did not change. */
  #extensionAsked = false;

  constructor(options: ControllerOptions) {
    this.#o = options;
  }

  async load(): Promise<void> {
    this.#state = (await this.#o.store.read<PersistedState>(STATE_FILE)) ?? {};
    this.#dirty = this.#state.desired !== undefined;
  }

  get desired(): HostState | undefined {
    return this.#state.desired;
  }

  get stage(): GraceStage {
    const { desired, lastContact } = this.#state;
    if (this.#refused) return "allDropped";
    if (!desired || lastContact === undefined) return "connected";
    return graceStage(desired.grace, lastContact, this.#o.clock());
  }

  /** Linux name → uid of current logins and of those removed in the last 24 h. */
  knownUids(): Map<string, number> {
    const now = this.#o.clock();
    const known = new Map<string, number>();
    for (const [name, r] of Object.entries(this.#state.removed ?? {}))
      if (r.until > now) known.set(name, r.uid);
    for (const l of this.#state.desired?.logins ?? []) known.set(l.linuxName, l.uid);
    return known;
  }

  /** Something came from the service: the grace clock restarts, and an identity refusal is over. */
  contact(): void {
    const before = this.stage;
    this.#refused = false;
    this.#state = { ...this.#state, lastContact: this.#o.clock() };
    if (before !== "connected") this.#dirty = true;
  }

  snapshot(state: HostState): void {
    this.#extensionAsked = true;
    this.#setDesired(state);
  }

  /** Applies a patch to the desired state; false when there is none to patch (a snapshot is needed). */
  patch(patch: HostStatePatch): boolean {
    if (!this.#state.desired) return false;
    if (patch.loginEnabled !== undefined && patch.version > this.#state.desired.version)
      this.#extensionAsked = true;
    const next = applyPatch(this.#state.desired, patch);
    if (next !== this.#state.desired) this.#setDesired(next);
    return true;
  }

  /** The service refused the machine's identity: every directory login goes now (not after a grace period). */
  identityRefused(message: string): void {
    if (!this.#refused) this.#o.log("warn", "identity refused: directory logins removed", { message });
    this.#refused = true;
    this.#dirty = true;
    this.#setExtension({ provisioningState: "Failed", exitCode: 22, message });
  }

  /** Re-applies when the grace stage moved, a KRL is still missing, or the last apply failed (at most every 30 s). */
  tick(): number | undefined {
    const stage = this.stage;
    if (stage !== (this.#state.stage ?? "connected") || this.#krlPending) this.#dirty = true;
    if (this.#lastError !== undefined && this.#o.clock() - this.#failedAt >= RETRY_FAILED_MS)
      this.#dirty = true;
    const { desired, lastContact } = this.#state;
    return desired && lastContact !== undefined
      ? nextGraceChange(desired.grace, lastContact, this.#o.clock())
      : undefined;
  }

  /** Applies the latest desired state if anything changed since the last apply (one at a time). */
  apply(): Promise<void> {
    if (!this.#running) {
      this.#running = this.#applyLoop().finally(() => {
        this.#running = undefined;
      });
    }
    return this.#running;
  }

  async #applyLoop(): Promise<void> {
    while (this.#dirty) {
      this.#dirty = false;
      await this.#applyOnce();
    }
  }

  #setDesired(state: HostState): void {
    const previous = this.#state.desired;
    const removed = { ...(this.#state.removed ?? {}) };
    const until = this.#o.clock() + REMEMBER_REMOVED_MS;
    const kept = new Set(state.logins.map((l) => l.linuxName));
    for (const l of previous?.logins ?? [])
      if (!kept.has(l.linuxName)) removed[l.linuxName] = { uid: l.uid, until };
    for (const name of Object.keys(removed))
      if ((removed[name]?.until ?? 0) <= this.#o.clock()) delete removed[name];
    this.#state = { ...this.#state, desired: state, removed };
    this.#dirty = true;
  }

  #setExtension(status: ExtensionStatus): void {
    const previous = this.#state.extension;
    const asked = this.#extensionAsked;
    this.#extensionAsked = false;
    this.#state = { ...this.#state, extension: status };
    if (JSON.stringify(previous) === JSON.stringify(status) && !asked) return;
    // a host where the extension was never enabled has nothing to report when it is (still) off
    if (!previous && status.provisioningState === "Succeeded" && !status.enabled) return;
    this.#o.report({
      type: "extension",
      at: this.#o.clock(),
      name: EXTENSION_NAME,
      provisioningState: status.provisioningState,
      ...(status.provisioningState === "Failed"
        ? { message: status.message }
        : { message: status.enabled ? "enabled" : "disabled; host files restored" }),
      ...(status.provisioningState === "Failed" && status.exitCode !== undefined
        ? { exitCode: status.exitCode }
        : {}),
    });
  }

  async #krlFor(desired: HostState): Promise<Uint8Array | undefined> {
    if (this.#krlOnDisk === desired.krlSha256 || !this.#o.fetchKrl) return undefined;
    try {
      return await this.#o.fetchKrl();
    } catch (error) {
      this.#o.log("warn", "KRL fetch failed; keeping the KRL on disk", { error: (error as Error).message });
      return undefined;
    }
  }

  async #applyOnce(): Promise<void> {
    const desired = this.#state.desired;
    if (!desired) return;
    const stage = this.stage;
    const previousStage = this.#state.stage ?? "connected";
    const records = hostRecords(this.#o.store);
    try {
      if (!desired.loginEnabled) {
        const r = await restoreHost(this.#o.paths, this.#o.tools, records);
        this.#krlOnDisk = undefined; // the KRL went with the rest: fetch it again when login is enabled
        if (r.changed.length)
          this.#o.log("info", "login extension disabled: host files restored", { changed: r.changed.length });
        this.#setExtension({ provisioningState: "Succeeded", enabled: false });
      } else {
        const krl = await this.#krlFor(desired);
        const r = await applyHostState(this.#o.paths, this.#o.tools, records, {
          state: desired,
          stage,
          ...(krl ? { krl } : {}),
          hostKeys: await this.#o.hostKeys(),
          now: this.#o.clock(),
        });
        if (r.krlProblem) this.#o.log("warn", "KRL not installed", { problem: r.krlProblem });
        if (r.krlPending)
          this.#krlOnDisk = undefined; // not the state's KRL on disk: fetch on the next try
        else this.#krlOnDisk = krl ? sha256Hex(krl) : desired.krlSha256;
        this.#krlPending = r.krlPending;
        this.#refusedLogins = r.refused;
        for (const refused of r.refused) this.#o.log("warn", "login refused", { ...refused });
        this.#o.log("info", "applied", {
          version: desired.version,
          stage,
          logins: r.logins.length,
          changed: r.changed.length,
          krlPending: r.krlPending,
        });
        if (!this.#refused) this.#setExtension({ provisioningState: "Succeeded", enabled: true });
      }
      if (stage !== previousStage && !this.#refused) {
        const gr = stage === "connected" ? "restored" : stage;
        this.#o.log(stage === "connected" ? "info" : "warn", `grace: ${gr}`, { stage });
        this.#o.report({ type: "grace", at: this.#o.clock(), stage: gr });
      }
      if (!this.#refused) this.#state = { ...this.#state, stage };
      this.#o.report({ type: "applied", at: this.#o.clock(), version: desired.version });
      this.#lastError = undefined;
    } catch (error) {
      this.#lastError = error;
      this.#failedAt = this.#o.clock();
      const code = isHostpassError(error) ? error.code : undefined;
      this.#o.log("error", "apply failed", { code, error: (error as Error).message });
      this.#setExtension({
        provisioningState: "Failed",
        ...(code === "ERR_EXTENSION_LEGACY_INSTALLED" ? { exitCode: 23 } : {}),
        message: (error as Error).message,
      });
    } finally {
      await this.#o.store.write(STATE_FILE, this.#state);
      await this.#o.store.write(STATUS_FILE, this.status());
    }
  }

  /** The error of the last apply, if it failed (the daemon logs it and retries; `apply` exits with it). */
  get lastError(): unknown {
    return this.#lastError;
  }

  status(): Record<string, unknown> {
    return {
      version: this.#state.desired?.version,
      machineId: this.#state.desired?.machineId,
      loginEnabled: this.#state.desired?.loginEnabled,
      stage: this.stage,
      identityRefused: this.#refused,
      lastContact: this.#state.lastContact,
      extension: this.#state.extension,
      logins: this.#state.desired?.logins.length ?? 0,
      refused: this.#refusedLogins,
      krlPending: this.#krlPending,
    };
  }
}
