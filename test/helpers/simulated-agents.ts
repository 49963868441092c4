/**
 * Many joined host agents without many hosts, for the `agents` benchmark and the host channel's
 * fan-out test: machines written through the store (as `vm create --assign-identity`, the login
 * extension and a join would leave them: rows, managed identities, agent credentials and their
 * change-log entries), and lightweight agents that speak the real protocol with the agent's own
 * client code (src/agent/service-client.ts: private_key_jwt at the token endpoint, then the
 * host channel's event stream), recording when each patch arrived and whom it named.
 */
import { generateKeyPairSync } from "node:crypto";
import { type ServiceClient, serviceClient } from "../../src/agent/service-client.ts";
import { checkPublicJwk } from "../../src/directory/index.ts";
import { createResourceGroup, createVirtualMachine, putExtension } from "../../src/resources/index.ts";
import type { RunningServer } from "../../src/server/index.ts";
import { assignMachineIdentity } from "../../src/server/routes/resources/lib/machine-identity.ts";
import { systemClock } from "../../src/shared/clock.ts";
import type { HostEvent } from "../../src/shared/host-protocol.ts";

/** What one simulated agent needs: its machine and its credential (client id and private key). */
export interface SimulatedAgentSpec {
  readonly machineId: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly privateKeyPem: string;
}

/** Machines written per transaction. */
const MACHINES_PER_TRANSACTION = 250;

/**
 * `count` virtual machines spread over `resourceGroups` resource groups (`agents-rg<k>`, machine i
 * in group i % resourceGroups), each with a managed identity, the login extension and a joined
 * agent's credential (an Ed25519 key made here).
 */
export async function seedJoinedMachines(
  running: RunningServer,
  options: {
    readonly count: number;
    readonly resourceGroups: number;
    readonly progress?: (done: number) => void;
  },
): Promise<SimulatedAgentSpec[]> {
  const tenantId = running.bootstrap.tenant.id;
  const subscriptionId = running.bootstrap.subscriptionId;
  const store = running.store;
  for (let g = 0; g < options.resourceGroups; g++)
    await store.transaction((tx) =>
      createResourceGroup(tx.resources, {
        tenantId,
        subscriptionId,
        name: `agents-rg${g}`,
        location: "local",
      }),
    );
  const out: SimulatedAgentSpec[] = [];
  for (let done = 0; done < options.count; done += MACHINES_PER_TRANSACTION) {
    const batch = await store.transaction(async (tx) => {
      const made: SimulatedAgentSpec[] = [];
      for (let i = done; i < Math.min(options.count, done + MACHINES_PER_TRANSACTION); i++) {
        const created = await createVirtualMachine(tx.resources, {
          tenantId,
          subscriptionId,
          resourceGroup: `agents-rg${i % options.resourceGroups}`,
          name: `vm${i}`,
          image: "debian-12",
          adminUsername: "localadmin",
        });
        const machine = await assignMachineIdentity(tx, tenantId, created.id);
        await putExtension(tx.resources, machine.id, {
          name: "SSHLoginForLinux",
          publisher: "hostpass",
          type: "SSHLoginForLinux",
          version: "1.0",
          provisioningState: "Succeeded",
        });
        const { privateKey, publicKey } = generateKeyPairSync("ed25519");
        const { jwk, thumbprint } = checkPublicJwk(publicKey.export({ format: "jwk" }));
        const clientId = crypto.randomUUID();
        await tx.agents.putCredential({
          clientId,
          tenantId,
          machineKey: machine.id.toLowerCase(),
          machineId: machine.id,
          identityId: machine.identityPrincipalId as string,
          publicKeyJwk: jwk,
          thumbprint,
          hostKeys: [],
          createdAt: new Date(),
        });
        made.push({
          machineId: machine.id,
          tenantId,
          clientId,
          privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
        });
      }
      return made;
    });
    out.push(...batch);
    options.progress?.(out.length);
  }
  return out;
}

/** One patch as an agent saw it: when (epoch ms, sub-millisecond) and whose logins it changed. */
export interface Receipt {
  readonly agent: number;
  readonly at: number;
  readonly objectIds: readonly string[];
}

export interface SimulatedAgents {
  /** Agents whose stream is open (their snapshot arrived). */
  readonly connected: number;
  /** Patches received since the last `take`, oldest first. */
  take(): Receipt[];
  /** Heartbeats each agent has had, and when the last came (by agent index, from `firstIndex`). */
  heartbeats(): Map<number, { readonly count: number; readonly at: number }>;
  /** Streams that failed (not closed by `close`). */
  readonly failures: readonly { readonly agent: number; readonly error: unknown }[];
  close(): Promise<void>;
}

/** Epoch milliseconds with sub-millisecond precision, comparable between processes of one machine. */
export const wallClockMs = (): number => performance.timeOrigin + performance.now();

/**
 * Connects the agents (at most `concurrency` handshakes at a time): each takes a token with its own
 * key and opens its stream; answers once every stream has had its snapshot.
 */
export async function connectAgents(
  specs: readonly SimulatedAgentSpec[],
  options: {
    readonly server: string;
    readonly caPem: string;
    readonly caFile: string;
    readonly concurrency?: number;
    /** Index of the first agent (for receipts from several processes). */
    readonly firstIndex?: number;
  },
): Promise<SimulatedAgents> {
  const controller = new AbortController();
  let receipts: Receipt[] = [];
  const failures: { agent: number; error: unknown }[] = [];
  let connected = 0;
  const heartbeats = new Map<number, { count: number; at: number }>();
  const streams: Promise<void>[] = [];
  const first = options.firstIndex ?? 0;

  const open = (spec: SimulatedAgentSpec, agent: number) =>
    new Promise<void>((resolve, reject) => {
      const client: ServiceClient = serviceClient({
        config: {
          server: options.server,
          machineId: spec.machineId,
          tenantId: spec.tenantId,
          clientId: spec.clientId,
          tokenEndpoint: `${options.server}/oauth2/token`,
          joinedAt: 0,
          pinnedCa: true,
        },
        privateKeyPem: spec.privateKeyPem,
        caPem: options.caPem,
        caFile: options.caFile,
        clock: systemClock,
      });
      let snapshot = false;
      streams.push(
        (async () => {
          try {
            for await (const e of client.stream(undefined, controller.signal)) {
              if (e.type === "snapshot" && !snapshot) {
                snapshot = true;
                connected++;
                resolve();
              } else if (e.type === "heartbeat") {
                heartbeats.set(agent, { count: (heartbeats.get(agent)?.count ?? 0) + 1, at: wallClockMs() });
              } else if (e.type === "patch") {
                const at = wallClockMs();
                const { patch } = JSON.parse(e.data) as Extract<HostEvent, { type: "patch" }>;
                receipts.push({
                  agent,
                  at,
                  objectIds: [
                    ...(patch.upsertLogins ?? []).map((l) => l.objectId),
                    ...(patch.removeLogins ?? []),
                  ],
                });
              }
            }
            if (!controller.signal.aborted) throw new Error("the stream ended");
          } catch (error) {
            if (controller.signal.aborted) return;
            failures.push({ agent, error });
            reject(error);
          }
        })(),
      );
    });

  const queue = specs.map((spec, i) => ({ spec, agent: first + i }));
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift())
      await open(next.spec, next.agent);
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 16) }, worker));
  } catch (error) {
    controller.abort();
    await Promise.all(streams);
    throw error;
  }
  return {
    get connected() {
      return connected;
    },
    failures,
    heartbeats: () => new Map(heartbeats),
    take() {
      const out = receipts;
      receipts = [];
      return out;
    },
    async close() {
      controller.abort();
      await Promise.all(streams);
    },
  };
}
