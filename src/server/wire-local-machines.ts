import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type GatewayRelay, LocalMachineProvider, startGatewayRelay } from "../localvm/index.ts";
import {
  type MachineHost,
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

export interface LocalMachines {
  readonly provider: LocalMachineProvider;
  /** `https://<gateway>:<relay port>`: how machines (and this host) reach the service. */
  readonly publicUrl: string;
  readonly machineHost: MachineHost;
  /** Points the relay at the service once it listens. */
  listening(target: { host: string; port: number }): void;
  /**
   * Adopts or restarts recorded machines, drops those whose registration is gone, corrects
   * addresses; answers the machines that could not be resumed.
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
  const machineHost: MachineHost = {
    async start(request) {
      const machine = await provider.create({
        id: request.machineId,
        hostname: request.hostname,
        adminUser: { name: request.adminUsername, authorizedKeys: request.adminPublicKeys },
        binds: [{ source: APP_ROOT.replace(/\/$/, ""), target: "/opt/hostpass", readOnly: true }],
      });
      return { privateIp: machine.address };
    },
    async remove(machineId) {
      await provider.delete(machineId);
    },
  };
  return {
    provider,
    publicUrl: `https://${gateway}:${relay.port}`,
    machineHost,
    listening: (target) => relay.setTarget(target),
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
        }
      }
      return failures;
    },
    close: () => relay.close(),
  };
}
