import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import {
  AGENT_INSTALL,
  agentJoined,
  type GatewayRelay,
  joinMachineAgent,
  type LocalMachine,
  LocalMachineProvider,
  LocalVmAgentError,
  startGatewayRelay,
} from "../localvm/index.ts";
import {
  getMachine,
  type MachineHost,
  parseResourceId,
  ResourceNotFoundError,
  type ResourceRepository,
  recordMachineAddress,
} from "../resources/index.ts";
import { writeFileAtomic } from "../shared/atomic-write.ts";

/** This checkout: machines see it read-only at /opt/hostpass (the agent runs from there). */
const APP_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface LocalMachinesOptions {
  /** The provider's directory; default `<data-dir>/machines`. */
  readonly dir?: string;
  /** The relay's port on the gateway address; default: the one it had before, else `preferredPort`. */
  readonly port?: number;
  /** Used when no port was saved (`hostpass server` passes its listen port); else any free one. */
  readonly preferredPort?: number;
}

/** How the service lets a local machine's agent join it: the service's own join codes, and its TLS trust. */
export interface AgentEnrolment {
  /** A fresh one-time join code for the machine, made by the service in-process (no shared secret). */
  joinCode(machineId: string): Promise<string>;
  /** SHA-256 of the service's self-signed TLS certificate, for the agent to pin at join. */
  readonly tlsFingerprint: string | undefined;
  /** Where a failed join attempt is told (with the agent's output), retried or not. */
  readonly joinFailed?: (machineId: string, error: LocalVmAgentError, willRetry: boolean) => void;
}

/** Tries at a join that fails transiently (the service unreachable or busy just then), each with a new code. */
const JOIN_ATTEMPTS = 4;
/** Pause before the second try; doubled for each further one. */
const JOIN_RETRY_MS = 1000;

export interface LocalMachines {
  readonly provider: LocalMachineProvider;
  /** `https://<gateway>:<relay port>`: how machines (and this host) reach the service. */
  readonly publicUrl: string;
  readonly machineHost: MachineHost;
  /**
   * Points the relay at the service once it listens; with `enrolment`, every machine started from
   * then on gets its host agent joined to the service and running (machine-agent.ts).
   */
  listening(target: { host: string; port: number }, enrolment?: AgentEnrolment): void;
  /**
   * Adopts or restarts recorded machines, drops those whose registration is gone, corrects
   * addresses, joins the agent of a machine that has a managed identity and no joined agent yet;
   * answers the machines that could not be resumed.
   */
  resume(resources: ResourceRepository): Promise<{ id: string; error: string }[]>;
  /** Stops the relay; the machines keep running (they outlive the service, and are adopted on its next start). */
  close(): Promise<void>;
}

/**
 * The local provider inside `hostpass server --local-machines`: machines on a private network of
 * this host, reaching the service through a relay on the network's gateway address (only the
 * network's own subnet may connect), so the service itself can keep listening on loopback.
 */
export async function wireLocalMachines(
  dataDir: string,
  options: LocalMachinesOptions = {},
): Promise<LocalMachines> {
  const provider = await LocalMachineProvider.open(options.dir ?? join(dataDir, "machines"));
  const { gateway, subnet } = provider.network;
  // The public URL is the issuer and what every joined agent calls: keep its port across restarts.
  const portFile = join(provider.root, "relay.json");
  const saved = await readFile(portFile, "utf8").then(
    (text) => Number(JSON.parse(text).port),
    () => undefined,
  );
  const wanted = options.port ?? saved ?? options.preferredPort ?? 0;
  let relay: GatewayRelay;
  try {
    relay = await startGatewayRelay({ gateway, subnet, port: wanted });
  } catch (error) {
    if (wanted === 0) throw error;
    relay = await startGatewayRelay({ gateway, subnet, port: 0 }); // that port is taken there: any other
  }
  if (relay.port !== saved)
    await writeFileAtomic(portFile, `${JSON.stringify({ port: relay.port })}\n`, 0o600);
  const publicUrl = `https://${gateway}:${relay.port}`;
  let enrolment: AgentEnrolment | undefined;
  /** Per machine (lower-case id), the join running or queued last: one join at a time in a machine. */
  const joins = new Map<string, Promise<void>>();
  /**
   * Joins the machine's agent (again, with `force`: a new managed identity needs a new credential)
   * and runs it. A machine without a managed identity keeps running without one, until
   * `identity assign` calls `identityAssigned`. Joins of one machine run one after the other; a
   * join that fails transiently is tried again with a new code (a failed join changes nothing in
   * the machine, and a new code makes the service's side idempotent).
   */
  const enrol = (id: string, machine: LocalMachine, force: boolean): Promise<void> => {
    const key = id.toLowerCase();
    const run = (joins.get(key) ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => joinWithRetries(id, machine, force));
    joins.set(key, run);
    return run.finally(() => {
      if (joins.get(key) === run) joins.delete(key);
    });
  };
  const joinWithRetries = async (id: string, machine: LocalMachine, force: boolean): Promise<void> => {
    if (!enrolment || (!force && (await agentJoined(machine)))) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await joinMachineAgent(machine, {
          server: publicUrl,
          code: await enrolment.joinCode(id),
          force,
          ...(enrolment.tlsFingerprint === undefined ? {} : { tlsFingerprint: enrolment.tlsFingerprint }),
        });
        return;
      } catch (error) {
        if (!(error instanceof LocalVmAgentError)) throw error;
        const retry = error.transient && attempt < JOIN_ATTEMPTS;
        enrolment.joinFailed?.(id, error, retry);
        if (!retry) throw error;
        await sleep(JOIN_RETRY_MS * 2 ** (attempt - 1));
      }
    }
  };
  const machineHost: MachineHost = {
    async start(request) {
      const machine = await provider.create({
        id: request.machineId,
        hostname: request.hostname,
        adminUser: { name: request.adminUsername, authorizedKeys: request.adminPublicKeys },
        binds: [{ source: APP_ROOT.replace(/\/$/, ""), target: AGENT_INSTALL, readOnly: true }],
      });
      await enrol(request.machineId, machine, false);
      return { privateIp: machine.address };
    },
    async remove(machineId) {
      await provider.delete(machineId);
    },
    async identityAssigned(machineId) {
      // A scale set's instances join side by side (each its own machine); the answer waits for all.
      const results = await Promise.allSettled(
        (await machinesOf(provider, machineId)).map(async (id) => {
          const machine = await provider.get(id);
          if (machine && (await machine.isRunning())) await enrol(id, machine, true);
        }),
      );
      const failed = results.find((result) => result.status === "rejected");
      if (failed) throw failed.reason;
    },
  };
  return {
    provider,
    publicUrl,
    machineHost,
    listening(target, joining) {
      relay.setTarget(target);
      enrolment = joining;
    },
    async resume(resources) {
      const failures: { id: string; error: string }[] = [];
      for (const state of await provider.resume()) {
        if (state.error !== undefined) {
          failures.push({ id: state.id, error: state.error });
          continue;
        }
        try {
          await recordMachineAddress(resources, state.id, state.address);
        } catch (error) {
          if (!(error instanceof ResourceNotFoundError)) throw error;
          await provider.delete(state.id); // its registration is gone: so is the machine
          continue;
        }
        try {
          const machine = await provider.get(state.id);
          if (machine && (await hasIdentity(resources, state.id))) await enrol(state.id, machine, false);
        } catch (error) {
          failures.push({ id: state.id, error: `its agent did not join: ${String(error)}` });
        }
      }
      return failures;
    },
    close: () => relay.close(),
  };
}

/** A VM's own machine, or a scale set's instances, that this provider runs. */
async function machinesOf(provider: LocalMachineProvider, id: string): Promise<string[]> {
  const prefix = `${id.toLowerCase()}/virtualmachines/`;
  const ids = (await provider.list()).map((state) => state.id);
  return ids.filter(
    (known) => known.toLowerCase() === id.toLowerCase() || known.toLowerCase().startsWith(prefix),
  );
}

/** Whether the machine (or, for a scale-set instance, its set) has a managed identity. */
async function hasIdentity(resources: ResourceRepository, id: string): Promise<boolean> {
  const parsed = parseResourceId(id);
  const holder = await getMachine(
    resources,
    parsed.kind === "virtualMachineScaleSetVm" && parsed.parent ? parsed.parent : parsed,
  );
  return holder.identityPrincipalId !== undefined;
}
