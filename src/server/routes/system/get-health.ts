import { Type } from "@fastify/type-provider-typebox";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";

/** Liveness only: says nothing about the directory, so it can stay public for load balancers. */
export function registerGetHealth(app: App, deps: RouteDeps): void {
  app.get(
    "/healthz",
    {
      config: { public: true },
      schema: {
        operationId: "Health_Get",
        tags: ["Discovery"],
        summary: "Liveness",
        response: { 200: Type.Object({ status: Type.Literal("ok") }, { additionalProperties: false }) },
      },
    },
    async () => ({ status: "ok" as const }),
  );
  // Readiness of the background work (for operators: it names errors, so it needs a token).
  app.get(
    "/health",
    {
      config: { permission: "self" },
      schema: {
        operationId: "Health_Components",
        tags: ["Discovery"],
        summary: "Health of the service's background work (the change-log consumers of the host channel)",
        response: {
          200: Type.Object(
            {
              status: Type.Union([Type.Literal("ok"), Type.Literal("degraded")]),
              hostChannel: Type.Optional(
                Type.Object(
                  {
                    ok: Type.Boolean(),
                    tenants: Type.Integer(),
                    streams: Type.Integer(),
                    lastError: Type.Optional(
                      Type.Object(
                        { at: Type.String(), message: Type.String() },
                        { additionalProperties: false },
                      ),
                    ),
                  },
                  { additionalProperties: false },
                ),
              ),
            },
            { additionalProperties: false },
          ),
        },
      },
    },
    async () => {
      const channel = deps.hostAgents?.channel.health();
      const ok = channel?.ok ?? true;
      return {
        status: ok ? ("ok" as const) : ("degraded" as const),
        ...(channel ? { hostChannel: channel } : {}),
      };
    },
  );
}
