import type { FastifyRequest } from "fastify";
import type { AgentCredential, AgentRepository, DirectoryRepository } from "../../../../directory/index.ts";
import { HostpassError } from "../../../../shared/errors.ts";
import { principalOf } from "../../../plugins/authenticate.ts";

/** A token that is not a host agent's (another principal, or a replaced agent key). */
export class NotAnAgentError extends HostpassError {
  static readonly code = "ERR_AGENT_FORBIDDEN";
  readonly code = NotAnAgentError.code;
  readonly kind = "forbidden";
  constructor() {
    super("only a joined host agent, with its machine identity's token, may use the host channel");
  }
}

/**
 * The agent credential behind the request's token: the token was issued to the credential's
 * client (its `client_id`), for the machine's managed identity, in the same tenant. A token of
 * another machine's agent names another credential, so it reads only that machine's stream.
 */
export async function agentOf(
  request: FastifyRequest,
  agents: Pick<AgentRepository, "findCredential">,
  directory?: Pick<DirectoryRepository, "getPrincipal">,
): Promise<AgentCredential> {
  const principal = principalOf(request);
  if (principal.type !== "managedIdentity" || principal.clientId === undefined) throw new NotAnAgentError();
  const credential = await agents.findCredential(principal.clientId);
  if (
    credential === undefined ||
    credential.identityId !== principal.objectId ||
    credential.tenantId !== principal.tenantId
  )
    throw new NotAnAgentError();
  // Read now, not from the token check's short cache: a stream opened for an identity removed or
  // disabled a moment ago would hand the agent every login again.
  if (directory) {
    const identity = await directory.getPrincipal(credential.tenantId, credential.identityId);
    if (identity?.kind !== "managedIdentity" || !identity.enabled) throw new NotAnAgentError();
  }
  return credential;
}
