/**
 * The host agent of a local machine: `hostpass-agent` from the hostpass installation the machine
 * sees read-only at /opt/hostpass, joined to the service with a one-time join code, then run as the
 * machine's supervised service `hostpass-agent` (its init starts it again at every start of the
 * machine, and restarts it a second after it exits). Its state (key, configuration) lives in the
 * machine's own /var/lib/hostpass-agent, so it survives a restart of the machine and goes with it.
 */
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { LocalVmAgentError } from "./errors.ts";
import type { LocalMachine } from "./machine.ts";
import { writeMachineService } from "./machine-image.ts";

export const AGENT_SERVICE = "hostpass-agent";
/** Where the machine sees the hostpass installation (a read-only bind of the service's checkout). */
export const AGENT_INSTALL = "/opt/hostpass";
const AGENT = `${AGENT_INSTALL}/bin/hostpass-agent`;
/** The agent's state directory inside the machine (its own /var/lib). */
const AGENT_STATE = ["var", "lib", "hostpass-agent"];
/** `hostpass-agent join`'s exit code when the machine has no managed identity (the seed's 22). */
export const EXIT_NO_MANAGED_IDENTITY = 22;
/**
 * Its exit code for a failure of kind `unavailable` (the CLI's): the service could not be reached,
 * or could not take the join just then. Nothing changed on the machine; another code may succeed.
 */
export const EXIT_UNAVAILABLE = 8;
/** Its exit code for an internal failure: the text of one is for the server log only. */
const EXIT_INTERNAL = 1;

export interface AgentJoin {
  /** The service's public URL as the machine reaches it (the gateway relay). */
  readonly server: string;
  /** A one-time join code the service made for this machine. */
  readonly code: string;
  /** The SHA-256 fingerprint of the service's self-signed TLS certificate, pinned at join. */
  readonly tlsFingerprint?: string;
  /** Join again with a new key (a new managed identity): the old key stops working. */
  readonly force?: boolean;
}

export type AgentJoinResult =
  | { readonly joined: true }
  /** The service refused: the machine has no managed identity (yet). Nothing changed on the machine. */
  | { readonly joined: false; readonly reason: string };

/** Whether the machine's agent has joined (its configuration is there, seen from the host). */
export function agentJoined(machine: LocalMachine): Promise<boolean> {
  return access(join(machine.dir, ...AGENT_STATE, "config.json")).then(
    () => true,
    () => false,
  );
}

/**
 * Joins the machine's agent to the service and (re)starts it as the machine's service. A machine
 * without a managed identity is answered as such (`joined: false`); any other failure throws.
 */
export async function joinMachineAgent(machine: LocalMachine, join: AgentJoin): Promise<AgentJoinResult> {
  const argv = [AGENT, "join", "--server", join.server, "--code", join.code];
  if (join.tlsFingerprint !== undefined) argv.push("--tls-fingerprint", join.tlsFingerprint);
  if (join.force) argv.push("--force");
  const result = await machine.exec(argv, { timeoutMs: 120_000 });
  if (result.code === EXIT_NO_MANAGED_IDENTITY) return { joined: false, reason: lastLine(result.stderr) };
  if (result.code !== 0) {
    // The agent's error line (`ERROR: (ERR_…) …`) is what it tells anyone who runs it: the caller
    // reads it too, unless the agent failed internally.
    const line = lastLine(result.stderr);
    const shown = result.code !== EXIT_INTERNAL && /^ERROR: \(ERR_[A-Z0-9_]+\) /.test(line);
    const why = shown
      ? line.slice("ERROR: ".length)
      : `it failed (exit ${result.code}); the server log has its output`;
    throw new LocalVmAgentError(`the agent of ${machine.hostname} could not join the service: ${why}`, {
      exitCode: result.code,
      transient: result.code === EXIT_UNAVAILABLE,
      output: tail(result.stderr),
    });
  }
  await startMachineAgent(machine);
  return { joined: true };
}

/**
 * Installs the agent as the machine's service (`hostpass-agent run`, reading sshd's log file) and
 * starts it, or restarts it when it runs (a new join: a new key to use).
 */
export async function startMachineAgent(machine: LocalMachine): Promise<void> {
  await writeMachineService(machine.dir, {
    name: AGENT_SERVICE,
    argv: [AGENT, "run", "--sshd-log", "file:/var/log/localvm-sshd.log"],
  });
  const pid = await runningServicePid(machine);
  if (pid === undefined) {
    await machine.startService(AGENT_SERVICE);
    return;
  }
  // Its supervisor starts it again a second later, with the new configuration.
  const killed = await machine.exec(["/bin/kill", "-TERM", String(pid)]);
  if (killed.code !== 0) await machine.startService(AGENT_SERVICE);
}

/** The agent's process in the machine when its supervisor runs it (the pid file it wrote, still alive). */
async function runningServicePid(machine: LocalMachine): Promise<number | undefined> {
  const result = await machine.exec([
    "/bin/sh",
    "-c",
    `p=$(cat /run/localvm/${AGENT_SERVICE}.pid 2>/dev/null) && kill -0 "$p" 2>/dev/null && echo "$p"`,
  ]);
  const pid = Number(result.stdout.trim());
  return result.code === 0 && Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The agent's log in the machine (its last `lines` lines), for errors and tests. */
export async function machineAgentLog(machine: LocalMachine, lines = 40): Promise<string> {
  const text = await readFile(join(machine.dir, "var", "log", `localvm-${AGENT_SERVICE}.log`), "utf8").catch(
    () => "",
  );
  return text.trim().split("\n").slice(-lines).join("\n");
}

/** The last lines of a program's stderr (an uncaught error's stack ends with frames, not its message). */
function tail(text: string, lines = 8): string {
  return text.trim().split("\n").slice(-lines).join("\n").slice(-2000);
}

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1)?.slice(0, 500) ?? "";
}
