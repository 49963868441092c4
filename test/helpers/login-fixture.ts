/**
 * The administrator's part of an ssh login, done through the domain (no browser): a service
 * principal with a client secret (it signs in with `hostpass login --service-principal`), a machine
 * at 127.0.0.1 (where a stand-in host listens), and a role on it. For `ssh vm` tests and the bench.
 * And the machine's part: its host agent joined with a join code (`joinedAgent`).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type AgentConfig, CONFIG_FILE, KEY_FILE } from "../../src/agent/agent-config.ts";
import { openAgentStore } from "../../src/agent/agent-store.ts";
import { joinService } from "../../src/agent/join.ts";
import { type ServiceClient, serviceClient } from "../../src/agent/service-client.ts";
import { addClientSecret, createServicePrincipal, type ServicePrincipal } from "../../src/directory/index.ts";
import { BUILT_IN_ROLE_IDS, createRoleAssignment, SYSTEM_ACTOR } from "../../src/rbac/index.ts";
import { createResourceGroup, createVirtualMachine } from "../../src/resources/index.ts";
import { type RunningServer, wireServices } from "../../src/server/index.ts";
import { systemClock } from "../../src/shared/clock.ts";
import { makeScratchHost, type ScratchHost } from "../agent/helpers/scratch-host.ts";

export interface Bot {
  readonly sp: ServicePrincipal;
  readonly secret: string;
  /** `hostpass login` arguments that sign it in. */
  readonly loginArgs: string[];
}

export async function botWithSecret(running: RunningServer, displayName: string): Promise<Bot> {
  const tenantId = running.bootstrap.tenant.id;
  const sp = await createServicePrincipal(running.store.directory, { tenantId, displayName });
  const { secret } = await addClientSecret(running.store.directory, {
    tenantId,
    principalId: sp.id,
    expiresAt: new Date(Date.now() + 86_400_000),
  });
  return {
    sp,
    secret,
    loginArgs: ["login", "--service-principal", "-u", sp.appId, "-p", secret, "--tenant", tenantId],
  };
}

/** A resource group and in it a machine whose address is 127.0.0.1; returns the machine's id. */
export async function loopbackMachine(running: RunningServer, group: string, name: string): Promise<string> {
  const tenantId = running.bootstrap.tenant.id;
  const subscriptionId = running.bootstrap.subscriptionId;
  await createResourceGroup(running.store.resources, {
    tenantId,
    subscriptionId,
    name: group,
    location: "local",
  });
  const vm = await createVirtualMachine(running.store.resources, {
    tenantId,
    subscriptionId,
    resourceGroup: group,
    name,
    image: "debian-12",
    adminUsername: "localadmin",
    networkInterfaces: [{ name: "nic0", privateIp: "127.0.0.1" }],
  });
  return vm.id;
}

/** A role (Virtual Machine Administrator Login unless said) for `sp` at `scope`. */
export async function grantRole(
  running: RunningServer,
  sp: ServicePrincipal,
  scope: string,
  role: string = BUILT_IN_ROLE_IDS.virtualMachineAdministratorLogin,
): Promise<void> {
  const services = wireServices(running.store);
  try {
    await createRoleAssignment(await services.rbac(running.bootstrap.tenant.id), SYSTEM_ACTOR, {
      role,
      principalId: sp.id,
      principalType: "ServicePrincipal",
      scope,
    });
  } finally {
    await services.close();
  }
}

export interface JoinedAgent {
  /** The agent's scratch root (remove `host.root` after the test). */
  readonly host: ScratchHost;
  /** The agent's own service client, signed in with the key it made at join. */
  readonly client: ServiceClient;
}

/**
 * A machine's host agent joined with `code` (from `POST {machine}/joinCode` or `vm create`), as
 * `hostpass-agent join` does: its own key in a scratch root, then the agent's own service client.
 */
export async function joinedAgent(
  running: RunningServer,
  code: string,
  caFile: string,
): Promise<JoinedAgent> {
  const host = await makeScratchHost();
  await joinService(host.paths, { server: running.url, code, caFile }, systemClock);
  const store = await openAgentStore(host.paths);
  const client = serviceClient({
    config: (await store.read<AgentConfig>(CONFIG_FILE)) as AgentConfig,
    privateKeyPem: await readFile(join(store.dir, KEY_FILE), "utf8"),
    caPem: await readFile(caFile, "utf8"),
    caFile,
    clock: systemClock,
  });
  return { host, client };
}
