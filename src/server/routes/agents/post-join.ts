import { Type } from "@fastify/type-provider-typebox";
import { appendAuditEvent } from "../../../audit/index.ts";
import {
  hashJoinCode,
  JoinCodeRefusedError,
  type Principal,
  redeemJoinCode,
} from "../../../directory/index.ts";
import { getMachine, parseResourceId, ResourceNotFoundError } from "../../../resources/index.ts";
import type { App } from "../../app.ts";
import type { HostAgentServices, RouteDeps } from "../../deps.ts";

const Body = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 256 }),
    /** The agent's public key as a JWK (Ed25519 from `hostpass-agent join`). */
    publicKey: Type.Record(Type.String({ maxLength: 16 }), Type.String({ maxLength: 2048 }), {
      maxProperties: 16,
    }),
    /** The host's sshd public keys, for host certificates. */
    hostKeys: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 16_384 }), { maxItems: 8 })),
  },
  { additionalProperties: false },
);

const Answer = Type.Object(
  {
    machineId: Type.String(),
    tenantId: Type.String(),
    clientId: Type.String(),
    tokenEndpoint: Type.String(),
  },
  { additionalProperties: false },
);

/**
 * `hostpass-agent join`: the one-time code authenticates the request (no token yet). Registers
 * the agent's key as the credential of the machine's managed identity, replacing the previous
 * agent's (whose streams end at once), and answers where the agent gets its tokens.
 */
export function registerPostAgentJoin(app: App, deps: RouteDeps, host: HostAgentServices): void {
  app.post(
    "/agents/v1/join",
    {
      config: { public: true },
      schema: {
        operationId: "Agents_Join",
        tags: ["Host agents"],
        summary: "Join a host agent with a one-time join code",
        body: Body,
        response: { 200: Answer },
      },
    },
    async (request) => {
      const { code, publicKey, hostKeys } = request.body;
      // The tenant is the code's: read first to lock the right tenant, consumed in the transaction.
      const peek = /^[A-Za-z0-9_-]{43}$/.test(code)
        ? await host.agents.findJoinCode(hashJoinCode(code))
        : undefined;
      if (peek === undefined) throw new JoinCodeRefusedError("invalid");
      const now = host.now();
      const credential = await deps.transaction(peek.tenantId, async (tx) => {
        const identityOf = async (machineKey: string): Promise<Principal | undefined> => {
          const machine = await getMachine(tx.resources, machineKey).catch((error) => {
            if (error instanceof ResourceNotFoundError) return undefined;
            throw error;
          });
          let identityId = machine?.identityPrincipalId;
          const parent =
            machine?.kind === "virtualMachineScaleSetVm" ? parseResourceId(machine.id).parent : undefined;
          if (identityId === undefined && parent)
            identityId = (await tx.resources.getMachineProfile(parent.key))?.identityPrincipalId;
          return identityId === undefined ? undefined : tx.directory.getPrincipal(peek.tenantId, identityId);
        };
        const registered = await redeemJoinCode(
          { agents: tx.agents, identityOf },
          { code, publicKey, hostKeys, now },
        );
        await appendAuditEvent(tx.audit, {
          tenantId: registered.tenantId,
          actor: registered.identityId,
          action: "Agents/join/action",
          target: registered.machineId,
          result: "success",
          correlationId: request.id,
          details: {
            clientId: registered.clientId,
            keyThumbprint: registered.thumbprint,
            hostKeys: registered.hostKeys.length,
          },
        });
        return registered;
      });
      host.channel.endStreams(credential.machineId); // the previous agent's key stopped working
      const { publicUrl } = host.endpoint();
      return {
        machineId: credential.machineId,
        tenantId: credential.tenantId,
        clientId: credential.clientId,
        tokenEndpoint: `${publicUrl}/oauth2/token`,
      };
    },
  );
}
