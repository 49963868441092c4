import type { FastifyRequest } from "fastify";
import { MACHINE_KINDS, MachineParams } from "./machine-kinds.ts";
import { INSTANCE_PATH, InstanceParams, instanceIdOf } from "./scale-set-instance.ts";

/** The machines a host agent runs on (a VM, a scale-set instance): the routes that act on one host. */
export interface AgentMachine {
  readonly path: string;
  readonly params: typeof MachineParams | typeof InstanceParams;
  readonly id: (request: FastifyRequest) => string;
  /** RBAC namespace, e.g. `Compute/virtualMachines`. */
  readonly actions: string;
  /** For operation ids, e.g. `VirtualMachines`. */
  readonly name: string;
}

const vm = MACHINE_KINDS.find((k) => k.kind === "virtualMachine");
if (!vm) throw new TypeError("no virtual machine kind");

export const AGENT_MACHINES: readonly AgentMachine[] = [
  { path: vm.path, params: MachineParams, id: vm.id, actions: vm.actions, name: "VirtualMachines" },
  {
    path: INSTANCE_PATH,
    params: InstanceParams,
    id: instanceIdOf,
    actions: "Compute/virtualMachineScaleSets/virtualMachines",
    name: "ScaleSetInstances",
  },
];
