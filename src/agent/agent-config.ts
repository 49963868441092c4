/**
 * What `hostpass-agent join` leaves in the agent's state directory: the agent's own private key
 * (the only secret, 0600), the service's URL and TLS trust, and the ids the join returned.
 */
import { lstat } from "node:fs/promises";
import { join } from "node:path";
import type { AgentStore } from "./agent-store.ts";
import { AgentNotJoinedError, AgentStateError } from "./errors.ts";
import type { HostPaths } from "./host-paths.ts";
import { readManaged } from "./lib/safe-fs.ts";

export const CONFIG_FILE = "config.json";
export const KEY_FILE = "agent-key.pem";
export const SERVER_CA_FILE = "server-ca.pem";

export interface AgentConfig {
  /** The service's public URL (`https://name[:port]`). */
  readonly server: string;
  readonly machineId: string;
  readonly tenantId: string;
  /** The machine's managed identity's client id: `iss`/`sub` of the agent's client assertions. */
  readonly clientId: string;
  readonly tokenEndpoint: string;
  /** Epoch ms. */
  readonly joinedAt: number;
  /** Whether `server-ca.pem` holds the CA to trust for the service (else the system's CAs). */
  readonly pinnedCa: boolean;
}

export async function loadAgentConfig(store: AgentStore): Promise<AgentConfig> {
  const config = await store.read<AgentConfig>(CONFIG_FILE);
  if (!config) throw new AgentNotJoinedError();
  for (const field of ["server", "machineId", "tenantId", "clientId", "tokenEndpoint"] as const) {
    if (typeof config[field] !== "string" || !config[field]) {
      throw new AgentStateError(`${join(store.dir, CONFIG_FILE)}: ${field} is missing`);
    }
  }
  return config;
}

/** The agent's private key; refused when anyone but root could read it. */
export async function readAgentKey(paths: HostPaths, store: AgentStore): Promise<string> {
  const path = join(store.dir, KEY_FILE);
  const pem = (await readManaged(paths.root, path))?.toString("utf8");
  if (!pem) throw new AgentNotJoinedError();
  const st = await lstat(path);
  if (st.uid !== 0 || (st.mode & 0o077) !== 0) {
    throw new AgentStateError(`${path} must be owned by root and readable by root only (0600)`);
  }
  return pem;
}
