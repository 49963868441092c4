/**
 * The service side of the host channel (issue 7 item 4, src/shared/host-protocol.ts): one feed per
 * machine with a connected agent, holding its `HostState` and the patches since the feed began, so
 * a reconnecting agent gets exactly what it missed (`after=v`) or, when that cannot be replayed, a
 * snapshot. Every tenant's feeds follow the tenant's change log through its RBAC engine
 * (`RbacEngine.follow`), the logins through `HostLoginIndex` (rbac/host-logins.ts); a commit wakes
 * the engine at once (wire-services.ts), so a revocation reaches a connected agent in milliseconds.
 */
import { type CaKeyRecord, type HostKrl, isCaChange } from "../ca/index.ts";
import { type DirectoryRepository, isDirectoryChange, principalState } from "../directory/index.ts";
import { type ChangeFollower, HostLoginIndex, type RbacEngine } from "../rbac/index.ts";
import {
  getMachine,
  isLoginExtension,
  isResourceChange,
  type Machine,
  parseResourceId,
  ResourceNotFoundError,
  type ResourceRepository,
} from "../resources/index.ts";
import type { LoggedChange } from "../shared/change-log.ts";
import { type Clock, systemClock } from "../shared/clock.ts";
import {
  type GraceRule,
  HOST_PROTOCOL_VERSION,
  type HostEvent,
  type HostLogin,
  type HostState,
  type HostStatePatch,
  type TrustedCaKey,
} from "../shared/host-protocol.ts";

export const DEFAULT_GRACE: GraceRule = { adminSeconds: 3600, allSeconds: 86_400 };
/** Heartbeats at least this often (the agent gives up after 45 s of silence). */
const HEARTBEAT_MS = 10_000;
/**
 * A stream's heartbeat is due this long after the last event it was sent, less a random part of
 * up to HEARTBEAT_JITTER_MS, checked every second: with thousands of streams the heartbeats are
 * spread over time instead of one burst of writes every 10 s, and a stream that just had a patch
 * needs none.
 */
const HEARTBEAT_JITTER_MS = 3000;
const HEARTBEAT_TICK_MS = 1000;
/** A feed whose last stream closed is kept this long, so a quick reconnect replays instead of a snapshot. */
const FEED_LINGER_MS = 60_000;
/** Patches kept per feed; an agent further behind gets a snapshot. */
const MAX_HISTORY = 256;
/**
 * How long a patch is kept for a replay: a stream's agent had every patch before it disconnected,
 * and a feed outlives its last stream by FEED_LINGER_MS, so older patches are never replayed; a
 * reconnect from further back gets a snapshot. Bounds what each of thousands of feeds holds.
 */
const HISTORY_MS = 2 * FEED_LINGER_MS;
/** Host certificates (30 days) are signed again when a week old, for agents connected that long. */
const RENEW_HOST_CERTIFICATES_MS = 7 * 86_400_000;

export interface HostChannelDeps {
  readonly rbac: (tenantId: string) => Promise<RbacEngine>;
  readonly directory: DirectoryRepository;
  readonly resources: ResourceRepository;
  readonly caKeys: () => Promise<readonly CaKeyRecord[]>;
  /** The current KRL; `fresh`: built again now (a revocation or CA change was logged). */
  readonly krl: (fresh: boolean) => Promise<HostKrl>;
  /** Host certificates for a machine's registered host keys (may be none). */
  readonly hostCertificates?: (machineKey: string) => Promise<readonly string[]>;
  readonly log: (level: "warn" | "error", message: string, details?: Record<string, unknown>) => void;
  /** A machine's first stream opened (true) or its last one closed (false): its agent's status. */
  readonly presence?: (machineId: string, connected: boolean) => Promise<void>;
  /** History trim, heartbeats and host-certificate renewal go by it. Default: the system clock. */
  readonly clock?: Clock;
  /**
   * Runs `tick` every HEARTBEAT_TICK_MS until the returned stop is called. Default: a timer;
   * tests call the tick themselves (with their clock moved on).
   */
  readonly everyTick?: (tick: () => Promise<void>) => () => void;
}

export interface StreamSink {
  send(event: HostEvent): void;
  /** The service ends the stream (identity disabled, credential replaced). */
  end(): void;
}

export interface HostChannelHealth {
  readonly ok: boolean;
  readonly tenants: number;
  readonly streams: number;
  readonly lastError?: { readonly at: string; readonly message: string };
}

export interface HostChannel {
  /** Opens a stream for a machine's agent: the first events (snapshot or replay) are sent before it answers. */
  open(tenantId: string, machineId: string, after: number | undefined, sink: StreamSink): Promise<() => void>;
  /** A `terminateSessions` event to every stream of the machine; answers how many streams got it. */
  terminateSessions(tenantId: string, machineId: string, linuxNames: readonly string[]): Promise<number>;
  /** Ends every stream of the machine (its agent credential was replaced or removed). */
  endStreams(machineId: string): void;
  /** Wakes the tenant's follower (a commit happened). */
  wake(tenantId: string): void;
  health(): HostChannelHealth;
  close(): void;
}

interface Feed {
  readonly tenantId: string;
  readonly machineId: string;
  readonly key: string;
  /** Versions after this one are all in `history`. */
  base: number;
  state: HostState;
  /** Recent patches, oldest first, with when they were published (epoch ms). */
  history: { readonly patch: HostStatePatch; readonly at: number }[];
  readonly sinks: Set<StreamSink>;
  /** The identity whose disabling ends the streams. */
  identityId: string | undefined;
  /** When its host certificates were signed (epoch ms). */
  certsAt: number;
  /** When its streams need a heartbeat (epoch ms): pushed back by every event sent. */
  beatAt: number;
  linger?: NodeJS.Timeout;
}

interface Tenant {
  readonly engine: RbacEngine;
  readonly index: HostLoginIndex;
  readonly feeds: Map<string, Feed>;
  /** Login deltas the index produced, merged into the next patch per machine. */
  readonly loginDeltas: Map<string, { upsert: Map<string, HostLogin>; remove: Set<string> }>;
  pending: {
    machines: Set<string>;
    caKeys: boolean;
    krl: boolean;
    identities: Set<string>;
    hostCertificates: boolean;
  };
  work: Promise<void>;
}

function emptyPending(): Tenant["pending"] {
  return { machines: new Set(), caKeys: false, krl: false, identities: new Set(), hostCertificates: false };
}

function userCaKeysOf(records: readonly CaKeyRecord[]): TrustedCaKey[] {
  return records
    .filter((r) => r.purpose === "user" && r.state !== "retired")
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id))
    .map((r) => ({ id: r.id, status: r.state as TrustedCaKey["status"], publicKey: r.publicKey }));
}

/** The directory as the login computation reads it. */
function loginDirectory(directory: DirectoryRepository, tenantId: string) {
  return {
    principals: async (ids: readonly string[]) =>
      ids.length === 0 ? [] : (await directory.getPrincipals(tenantId, ids)).map(principalState),
    members: async (groupId: string) => {
      const out: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await directory.listGroupMembers(tenantId, groupId, {
          limit: 1000,
          ...(cursor ? { cursor } : {}),
        });
        out.push(...page.items.map((p) => p.id));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      return out;
    },
  };
}

/** A machine's identity and whether its login extension is on (a scale-set instance: or its set's). */
const hasLogin = (m: Machine | undefined): boolean =>
  m?.extensions.some((e) => isLoginExtension(e.type) && e.provisioningState !== "Deleting") ?? false;

async function machineFacts(
  resources: ResourceRepository,
  machineId: string,
): Promise<{ machine: Machine; identityId: string | undefined; loginEnabled: boolean }> {
  const machine = await getMachine(resources, machineId);
  let identityId = machine.identityPrincipalId;
  let loginEnabled = hasLogin(machine);
  if (machine.kind === "virtualMachineScaleSetVm") {
    const parent = parseResourceId(machine.id).parent;
    if (parent) {
      // A set deleted meanwhile has nothing to give; any other failure is the caller's to see.
      const set = await getMachine(resources, parent.id).catch((error: unknown) => {
        if (error instanceof ResourceNotFoundError) return undefined;
        throw error;
      });
      identityId ??= set?.identityPrincipalId;
      // The set's extension reaches an instance with the set's model (after update-instances).
      loginEnabled ||= machine.latestModelApplied !== false && hasLogin(set);
    }
  }
  return { machine, identityId, loginEnabled };
}

function timerEveryTick(tick: () => Promise<void>): () => void {
  const timer = setInterval(() => void tick(), HEARTBEAT_TICK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export function createHostChannel(deps: HostChannelDeps): HostChannel {
  const clock = deps.clock ?? systemClock;
  const tenants = new Map<string, Promise<Tenant>>();
  let lastError: { at: string; message: string } | undefined;
  let streams = 0;

  const fail = (what: string, error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    lastError = { at: new Date(clock()).toISOString(), message: `${what}: ${message}` };
    deps.log("error", `host channel: ${what}`, { err: message });
  };

  const nextBeat = (now: number) => now + HEARTBEAT_MS - Math.random() * HEARTBEAT_JITTER_MS;

  const send = (feed: Feed, event: HostEvent) => {
    for (const sink of feed.sinks) sink.send(event);
    feed.beatAt = nextBeat(clock());
  };

  const publish = (feed: Feed, event: HostEvent & { type: "patch" }, newer: boolean) => {
    const { patch } = event;
    const { version: _v, ...fields } = patch;
    if (Object.keys(fields).length === 0) return;
    if (!newer) {
      // Nothing newer in the change log (a host-certificate renewal, a follower reset): an agent
      // drops a patch whose version it has (agent/host-state.ts applyPatch), so the new state goes
      // as a snapshot, and a reconnect from this version or before gets a snapshot too.
      feed.history = [];
      feed.base = feed.state.version + 1;
      send(feed, { type: "snapshot", state: feed.state });
      return;
    }
    const now = clock();
    feed.history.push({ patch, at: now });
    let drop = Math.max(0, feed.history.length - MAX_HISTORY);
    while (drop < feed.history.length && (feed.history[drop] as { at: number }).at < now - HISTORY_MS) drop++;
    if (drop > 0) {
      // What is dropped can no longer be replayed: an agent behind it gets a snapshot.
      feed.base = (feed.history[drop - 1] as { patch: HostStatePatch }).patch.version;
      feed.history.splice(0, drop);
    }
    send(feed, event);
  };

  /** Applies the pending work of a settled version to every feed of the tenant: one patch per feed. */
  const settle = async (t: Tenant, settled: number) => {
    await t.index.idle();
    // The index may have gone past this settle's version meanwhile (its work runs a turn after the
    // pull, and later pulls queue behind it): the login deltas taken below are at its version.
    const version = Math.max(settled, t.index.version);
    const pending = t.pending;
    const quiet =
      t.loginDeltas.size === 0 &&
      pending.machines.size === 0 &&
      pending.identities.size === 0 &&
      !pending.caKeys &&
      !pending.krl &&
      !pending.hostCertificates;
    if (quiet) return; // nothing for any feed (versions are bumped with the next real patch)
    t.pending = emptyPending();
    try {
      const caKeys = pending.caKeys ? userCaKeysOf(await deps.caKeys()) : undefined;
      const krl = pending.krl ? (await deps.krl(true)).sha256 : undefined;
      // Only the feeds something happened to: a role change on one resource group visits its
      // machines, not every connected agent.
      const everyFeed =
        pending.caKeys || pending.krl || pending.hostCertificates || pending.identities.size > 0;
      const touched = everyFeed
        ? t.feeds.values()
        : new Set(
            [...t.loginDeltas.keys(), ...pending.machines]
              .map((key) => t.feeds.get(key))
              .filter((f): f is Feed => f !== undefined),
          );
      // Feeds whose patches are alike share one patch and event object (the logins in them are
      // shared objects, rbac/host-logins.ts): the streams serialise it once, not once per agent.
      const alike = new Map<string, HostEvent & { type: "patch" }>();
      for (const feed of touched) {
        if (feed.identityId !== undefined && pending.identities.has(feed.identityId)) {
          const identity = await deps.directory.getPrincipal(feed.tenantId, feed.identityId);
          if (!identity?.enabled) {
            for (const sink of feed.sinks) sink.end();
            continue;
          }
        }
        const patch: { -readonly [K in keyof HostStatePatch]: HostStatePatch[K] } = { version };
        const delta = t.loginDeltas.get(feed.key);
        if (delta) {
          t.loginDeltas.delete(feed.key);
          if (delta.upsert.size > 0) patch.upsertLogins = [...delta.upsert.values()];
          if (delta.remove.size > 0) patch.removeLogins = [...delta.remove];
        }
        if (pending.machines.has(feed.key)) {
          const facts = await machineFacts(deps.resources, feed.machineId).catch((error) => {
            if (error instanceof ResourceNotFoundError) return undefined;
            throw error;
          });
          if (facts === undefined) {
            for (const sink of feed.sinks) sink.end(); // the machine is gone
            continue;
          }
          feed.identityId = facts.identityId;
          if (facts.loginEnabled !== feed.state.loginEnabled) patch.loginEnabled = facts.loginEnabled;
        }
        if (caKeys && JSON.stringify(caKeys) !== JSON.stringify(feed.state.userCaKeys))
          patch.userCaKeys = caKeys;
        if (krl !== undefined && krl !== feed.state.krlSha256) patch.krlSha256 = krl;
        const renew = pending.hostCertificates && clock() - feed.certsAt > RENEW_HOST_CERTIFICATES_MS;
        if ((pending.caKeys || renew) && deps.hostCertificates) {
          const certs = await deps.hostCertificates(feed.key);
          feed.certsAt = clock();
          if (JSON.stringify(certs) !== JSON.stringify(feed.state.hostCertificates))
            patch.hostCertificates = certs;
        }
        const newer = version > feed.state.version;
        const key = patch.hostCertificates === undefined ? patchKey(patch) : undefined;
        let event = key === undefined ? undefined : alike.get(key);
        if (event === undefined) {
          event = { type: "patch", patch };
          if (key !== undefined) alike.set(key, event);
        }
        feed.state = applyToState(feed.state, event.patch, t.index.logins(feed.machineId));
        publish(feed, event, newer);
      }
      t.loginDeltas.clear();
    } catch (error) {
      // Tried again with the next settle: nothing pending is dropped.
      for (const m of pending.machines) t.pending.machines.add(m);
      for (const i of pending.identities) t.pending.identities.add(i);
      t.pending.caKeys ||= pending.caKeys;
      t.pending.krl ||= pending.krl;
      t.pending.hostCertificates ||= pending.hostCertificates;
      throw error;
    }
  };

  const follower = (t: () => Tenant): ChangeFollower => ({
    async reset() {
      const tenant = t();
      for (const feed of tenant.feeds.values()) tenant.pending.machines.add(feed.key);
      tenant.pending.caKeys = true;
      tenant.pending.krl = true;
    },
    apply(change: LoggedChange) {
      const tenant = t();
      if (isResourceChange(change)) {
        const key =
          change.kind === "machine.put"
            ? change.machine.key
            : change.kind === "resource.deleted"
              ? change.key
              : change.resource.key;
        for (const feed of tenant.feeds.values())
          if (feed.key === key || feed.key.startsWith(`${key}/`)) tenant.pending.machines.add(feed.key);
      } else if (isCaChange(change)) {
        if (change.kind === "caKeys.changed") {
          tenant.pending.caKeys = true;
          tenant.pending.krl = true;
        } else tenant.pending.krl = true;
      } else if (isDirectoryChange(change)) {
        if (change.kind === "principal.put" && change.principal.kind === "managedIdentity")
          tenant.pending.identities.add(change.principal.id);
        else if (change.kind === "principal.deleted") tenant.pending.identities.add(change.id);
      }
    },
    settled(version: number) {
      const tenant = t();
      const run = () => settle(tenant, version);
      tenant.work = tenant.work.then(run, run).catch((error) => fail("applying changes", error));
    },
  });

  const tenantOf = (tenantId: string): Promise<Tenant> => {
    let found = tenants.get(tenantId);
    if (found === undefined) {
      found = (async () => {
        const engine = await deps.rbac(tenantId);
        let tenant: Tenant | undefined;
        const index = new HostLoginIndex({
          engine,
          directory: loginDirectory(deps.directory, tenantId),
          onDelta: (delta) => {
            if (!tenant) return;
            let d = tenant.loginDeltas.get(delta.machineKey);
            if (d === undefined) {
              d = { upsert: new Map(), remove: new Set() };
              tenant.loginDeltas.set(delta.machineKey, d);
            }
            for (const l of delta.upsert) {
              d.upsert.set(l.objectId, l);
              d.remove.delete(l.objectId);
            }
            for (const id of delta.remove) {
              d.upsert.delete(id);
              d.remove.add(id);
            }
          },
          onError: (error) => fail("computing host logins", error),
        });
        tenant = {
          engine,
          index,
          feeds: new Map(),
          loginDeltas: new Map(),
          pending: emptyPending(),
          work: Promise.resolve(),
        };
        const self = tenant;
        await engine.follow(index);
        await engine.follow(follower(() => self));
        return tenant;
      })();
      found.catch(() => tenants.delete(tenantId));
      tenants.set(tenantId, found);
    }
    return found;
  };

  // Renewals are looked for every HEARTBEAT_MS (on the clock), heartbeats every tick.
  let renewalsCheckedAt = clock();
  const tick = async () => {
    const now = clock();
    const checkRenewals = now - renewalsCheckedAt >= HEARTBEAT_MS;
    if (checkRenewals) renewalsCheckedAt = now;
    const renewals: Promise<void>[] = [];
    for (const t of tenants.values()) {
      const tenant = await t.catch(() => undefined);
      if (!tenant) continue;
      let renew = false;
      const beats = new Map<number, HostEvent>(); // one event (and one serialisation) per version
      for (const feed of tenant.feeds.values()) {
        if (feed.beatAt <= now) {
          const version = Math.max(feed.state.version, tenant.engine.version);
          let beat = beats.get(version);
          if (beat === undefined) {
            beat = { type: "heartbeat", version };
            beats.set(version, beat);
          }
          send(feed, beat);
        }
        renew ||=
          checkRenewals &&
          feed.state.hostCertificates.length > 0 &&
          now - feed.certsAt > RENEW_HOST_CERTIFICATES_MS;
      }
      if (renew) {
        tenant.pending.hostCertificates = true;
        // Done once the renewal's settle ran (its errors are fail()'s).
        renewals.push(
          tenant.engine.sync().then(
            () => tenant.work,
            (error) => fail("syncing", error),
          ),
        );
      }
    }
    await Promise.all(renewals);
  };
  const stopTicks = (deps.everyTick ?? timerEveryTick)(tick);

  const feedOf = async (tenant: Tenant, tenantId: string, machineId: string): Promise<Feed> => {
    const key = machineId.toLowerCase();
    const existing = tenant.feeds.get(key);
    if (existing) return existing;
    // Built in the tenant's work chain: no settle runs between reading the state and registering it.
    const build = async (): Promise<Feed> => {
      const again = tenant.feeds.get(key);
      if (again) return again;
      const { version, logins } = await tenant.index.watch(machineId);
      try {
        const facts = await machineFacts(deps.resources, machineId);
        const [records, krl, certs] = await Promise.all([
          deps.caKeys(),
          deps.krl(false),
          deps.hostCertificates ? deps.hostCertificates(key) : Promise.resolve([]),
        ]);
        const state: HostState = {
          protocol: HOST_PROTOCOL_VERSION,
          version,
          tenantId,
          machineId: facts.machine.id,
          loginEnabled: facts.loginEnabled,
          userCaKeys: userCaKeysOf(records),
          krlSha256: krl.sha256,
          logins,
          hostCertificates: [...certs],
          grace: DEFAULT_GRACE,
        };
        const feed: Feed = {
          tenantId,
          machineId: facts.machine.id,
          key,
          base: version,
          state,
          history: [],
          sinks: new Set(),
          identityId: facts.identityId,
          certsAt: clock(),
          beatAt: nextBeat(clock()),
        };
        tenant.feeds.set(key, feed);
        return feed;
      } catch (error) {
        tenant.index.unwatch(machineId);
        throw error;
      }
    };
    const run = tenant.work.then(build, build);
    tenant.work = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };

  return {
    async open(tenantId, machineId, after, sink) {
      const tenant = await tenantOf(tenantId);
      await tenant.engine.sync();
      const feed = await feedOf(tenant, tenantId, machineId);
      if (feed.linger) {
        clearTimeout(feed.linger);
        feed.linger = undefined;
      }
      const replayable = after !== undefined && after >= feed.base && after <= feed.state.version;
      if (!replayable) sink.send({ type: "snapshot", state: feed.state });
      else
        for (const { patch } of feed.history) if (patch.version > after) sink.send({ type: "patch", patch });
      feed.sinks.add(sink);
      streams++;
      const present = (connected: boolean) =>
        deps.presence?.(feed.machineId, connected).catch((error) => fail("recording agent status", error));
      if (feed.sinks.size === 1) void present(true);
      let closed = false;
      return () => {
        if (closed) return;
        closed = true;
        streams--;
        feed.sinks.delete(sink);
        if (feed.sinks.size > 0) return;
        void present(false);
        feed.linger = setTimeout(() => {
          if (feed.sinks.size > 0 || tenant.feeds.get(feed.key) !== feed) return;
          tenant.feeds.delete(feed.key);
          tenant.index.unwatch(feed.machineId);
        }, FEED_LINGER_MS);
        feed.linger.unref();
      };
    },

    async terminateSessions(tenantId, machineId, linuxNames) {
      const tenant = await tenants.get(tenantId)?.catch(() => undefined);
      const feed = tenant?.feeds.get(machineId.toLowerCase());
      if (!feed) return 0;
      send(feed, { type: "terminateSessions", linuxNames: [...linuxNames] });
      return feed.sinks.size;
    },

    endStreams(machineId) {
      const key = machineId.toLowerCase();
      for (const t of tenants.values()) {
        void t
          .then((tenant) => {
            const feed = tenant.feeds.get(key);
            if (feed) for (const sink of feed.sinks) sink.end();
          })
          .catch(() => undefined);
      }
    },

    wake(tenantId) {
      const t = tenants.get(tenantId);
      if (t) void t.then((tenant) => tenant.engine.sync()).catch((error) => fail("syncing", error));
    },

    health() {
      const recent = lastError !== undefined && Date.parse(lastError.at) > clock() - 5 * 60_000;
      return {
        ok: !recent,
        tenants: tenants.size,
        streams,
        ...(lastError ? { lastError } : {}),
      };
    },

    close() {
      stopTicks();
      for (const t of tenants.values())
        void t
          .then((tenant) => {
            for (const feed of tenant.feeds.values()) {
              if (feed.linger) clearTimeout(feed.linger);
              for (const sink of feed.sinks) sink.end();
            }
          })
          .catch(() => undefined);
    },
  };
}

/** Object identities, for `patchKey`. */
const identities = new WeakMap<object, number>();
let lastIdentity = 0;
const identityOf = (o: object): number => {
  let id = identities.get(o);
  if (id === undefined) {
    id = ++lastIdentity;
    identities.set(o, id);
  }
  return id;
};

/**
 * Equal for two patches of one settle that say the same: the same login objects (shared while
 * their content is the same), removals, login switch, CA key list (one array per settle) and KRL.
 */
function patchKey(patch: HostStatePatch): string {
  return [
    patch.version,
    (patch.upsertLogins ?? []).map(identityOf).join(","),
    (patch.removeLogins ?? []).join(","),
    patch.loginEnabled ?? "",
    patch.userCaKeys === undefined ? "" : identityOf(patch.userCaKeys),
    patch.krlSha256 ?? "",
  ].join("|");
}

/** The state after a patch, logins taken from the index (the patch's upserts and removals are in it). */
function applyToState(state: HostState, patch: HostStatePatch, logins: HostLogin[] | undefined): HostState {
  return {
    ...state,
    version: Math.max(state.version, patch.version),
    ...(patch.loginEnabled !== undefined ? { loginEnabled: patch.loginEnabled } : {}),
    ...(patch.userCaKeys ? { userCaKeys: patch.userCaKeys } : {}),
    ...(patch.krlSha256 ? { krlSha256: patch.krlSha256 } : {}),
    ...(patch.hostCertificates ? { hostCertificates: patch.hostCertificates } : {}),
    logins: logins ?? state.logins,
  };
}
