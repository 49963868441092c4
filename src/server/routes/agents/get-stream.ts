import { Type } from "@fastify/type-provider-typebox";
import type { HostEvent } from "../../../shared/host-protocol.ts";
import type { App } from "../../app.ts";
import type { HostAgentServices, RouteDeps } from "../../deps.ts";
import { agentOf } from "./lib/agent-of.ts";

const Query = Type.Object(
  {
    after: Type.Optional(
      Type.String({ pattern: "^(?:0|[1-9][0-9]{0,14})$", description: "the last version the agent applied" }),
    ),
  },
  { additionalProperties: false },
);

/**
 * An event as a server-sent event. Many streams get the same event object (host-channel.ts shares
 * alike patches and heartbeats): it is serialised once, kept as long as the event is.
 */
const frames = new WeakMap<HostEvent, string>();
function frame(event: HostEvent): string {
  let text = frames.get(event);
  if (text === undefined) {
    const { type, ...rest } = event;
    text = `event: ${type}\ndata: ${JSON.stringify(rest)}\n\n`;
    frames.set(event, text);
  }
  return text;
}

/**
 * The host channel (server-sent events, src/shared/host-protocol.ts): a snapshot when `after`
 * cannot be replayed, then a patch per change that concerns this machine, heartbeats, and
 * `terminateSessions`. Only the machine's own agent may read it.
 */
export function registerGetAgentStream(app: App, deps: RouteDeps, host: HostAgentServices): void {
  app.get(
    "/agents/v1/stream",
    {
      config: { permission: "self" },
      schema: {
        operationId: "Agents_Stream",
        tags: ["Host agents"],
        summary: "The host channel of the calling agent's machine (text/event-stream)",
        description:
          "Events: `snapshot` {state}, `patch` {patch}, `heartbeat` {version} (at least every 15 s), `terminateSessions` {linuxNames}. `after` resumes after a version.",
        querystring: Query,
        produces: ["text/event-stream"],
        response: {
          200: Type.String({ description: "server-sent events (src/shared/host-protocol.ts)" }),
        },
      },
    },
    async (request, reply) => {
      const credential = await agentOf(request, host.agents, deps.directory);
      const after = request.query.after === undefined ? undefined : Number(request.query.after);
      const raw = reply.raw;
      let open = false;
      let ended = false;
      const queued: string[] = [];
      const sink = {
        send(event: HostEvent) {
          if (ended) return;
          if (open) raw.write(frame(event));
          else queued.push(frame(event));
        },
        end() {
          if (ended) return;
          ended = true;
          if (open) raw.end();
        },
      };
      // The first events are ready before the response starts: a failure is still a JSON error.
      const close = await host.channel.open(credential.tenantId, credential.machineId, after, sink);
      reply.hijack();
      raw.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        "x-request-id": request.id,
      });
      raw.socket?.setNoDelay(true);
      open = true;
      raw.write(queued.join(""));
      queued.length = 0;
      if (ended) raw.end();
      raw.once("close", close);
      request.raw.once("close", close);
    },
  );
}
