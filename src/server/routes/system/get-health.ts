import { Type } from "@fastify/type-provider-typebox";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";

/** Liveness only: says nothing about the directory, so it can stay public for load balancers. */
export function registerGetHealth(app: App, _deps: RouteDeps): void {
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
}
