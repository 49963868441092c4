/**
 * Where machines run when the service makes them. With a machine host configured (the local
 * provider of `hostpass server --local-machines`, src/localvm), creating a machine also starts it
 * and records the private address it got; deleting one removes it. Without one, a machine is only
 * registered and its own agent joins it from a real host. The resource tree stays the truth: a
 * machine that cannot be started is not registered either (the route removes it again).
 */
import { checkIp } from "./lib/inputs.ts";
import { getMachine } from "./machines.ts";
import type { ResourceRepository } from "./repository.ts";
import { parseResourceId } from "./resource-id.ts";
import type { Machine } from "./types.ts";

export interface MachineStartRequest {
  /** The machine's canonical resource id. */
  readonly machineId: string;
  /** Its computer name (the VM name; for a scale-set instance its own name). */
  readonly hostname: string;
  /** The break-glass local administrator (`--admin-username`), key-only. */
  readonly adminUsername: string;
  /** Its OpenSSH public key (`--generate-ssh-keys`, `--ssh-key-values`); none: no key login for it. */
  readonly adminPublicKeys: readonly string[];
}

export interface MachineHost {
  /** Starts (or finds running) the machine's computer and answers its private address. */
  start(request: MachineStartRequest): Promise<{ readonly privateIp: string }>;
  /** Removes the machine's computer and everything of it; harmless when there is none. */
  remove(machineId: string): Promise<void>;
  /**
   * A VM's (or a scale set's) managed identity was just assigned (committed): its machines' host
   * agents join with it (a new identity needs the agent's credential registered again).
   */
  identityAssigned?(machineId: string): Promise<void>;
}

/** The NIC name a started machine gets, as `az vm create` names it. */
export function defaultNicName(computerName: string): string {
  return `${computerName}VMNic`;
}

/**
 * A machine's computer (host) name: a VM's is its name; a scale-set instance's is the set's name
 * and the instance id in six base-36 digits, as Azure's uniform scale sets name them
 * (`myVMSS000000`, `myVMSS00000a`), the name cut so the whole stays within 64 characters.
 */
export function computerName(machine: Pick<Machine, "id" | "kind" | "name">): string {
  if (machine.kind !== "virtualMachineScaleSetVm") return machine.name;
  const parsed = parseResourceId(machine.id);
  const suffix = Number(parsed.instanceId ?? machine.name)
    .toString(36)
    .padStart(6, "0");
  return `${(parsed.parent?.name ?? "").slice(0, 64 - suffix.length)}${suffix}`;
}

/** Records the private address a machine host gave a machine (its one NIC), when it differs from the stored one. */
export async function recordMachineAddress(
  repo: ResourceRepository,
  id: string,
  privateIp: string,
): Promise<Machine> {
  const machine = await getMachine(repo, id);
  const address = checkIp(privateIp, "private IP");
  const nic = machine.networkInterfaces[0];
  if (machine.networkInterfaces.length === 1 && nic?.privateIp === address) return machine;
  await repo.replaceNetworkInterfaces(machine.id.toLowerCase(), [
    { name: defaultNicName(computerName(machine)), privateIp: address, publicIp: undefined },
  ]);
  return getMachine(repo, machine.id);
}

/**
 * Starts a registered machine on the host and has its address recorded (`record`, in the caller's
 * transaction). When either fails, whatever the host made of it is removed and the error goes on:
 * the caller removes the registration too, so a machine that cannot run is not left behind. A
 * removal that fails too is handed to `cleanupFailed` (logged and counted by the caller), and the
 * first error still goes on.
 */
export async function startRegisteredMachine(
  machine: Machine,
  host: MachineHost,
  record: (privateIp: string) => Promise<Machine>,
  cleanupFailed: (error: unknown) => void,
): Promise<Machine> {
  try {
    const { privateIp } = await host.start({
      machineId: machine.id,
      hostname: computerName(machine),
      adminUsername: machine.adminUsername,
      adminPublicKeys: machine.adminSshPublicKey === undefined ? [] : [machine.adminSshPublicKey],
    });
    return await record(privateIp);
  } catch (error) {
    await host.remove(machine.id).catch(cleanupFailed);
    throw error;
  }
}
