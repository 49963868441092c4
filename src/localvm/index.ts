export {
  LocalVmAgentError,
  LocalVmNoAddressError,
  LocalVmNoSubnetError,
  LocalVmNotRunningError,
  LocalVmSpecError,
  LocalVmStartError,
  LocalVmUnsupportedError,
} from "./errors.ts";
export { type GatewayRelay, startGatewayRelay } from "./gateway-relay.ts";
export {
  assertLocalVmSupported,
  ensureLocalVmSupported,
  type HostFacts,
  REQUIRED_PATHS,
} from "./host-support.ts";
export type { CommandResult } from "./lib/run-command.ts";
export {
  LocalMachineProvider,
  type ProvidedMachineSpec,
  type ProvidedMachineState,
} from "./local-provider.ts";
export {
  LocalMachine,
  type MachineExecOptions,
  type MachineRecord,
  openMachine,
  readMachineRecord,
} from "./machine.ts";
export {
  AGENT_INSTALL,
  AGENT_SERVICE,
  type AgentJoin,
  type AgentJoinResult,
  agentJoined,
  joinMachineAgent,
  machineAgentLog,
  startMachineAgent,
} from "./machine-agent.ts";
export {
  buildMachineImage,
  type MachineImageSpec,
  type MachineService,
  writeMachineService,
} from "./machine-image.ts";
export { findMachineTraces, type MachineTraces } from "./machine-traces.ts";
export {
  createNetwork,
  destroyNetwork,
  ensureGateway,
  GATEWAY_LINK,
  LocalNetwork,
  type LocalNetworkRecord,
} from "./network.ts";
export { type MachineBind, type StartMachineOptions, startMachine } from "./start-machine.ts";
export { GATEWAY_ADDRESS } from "./subnet.ts";
