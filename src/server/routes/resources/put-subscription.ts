import { Type } from "@fastify/type-provider-typebox";
import { createSubscription } from "../../../resources/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { NameParam } from "../../lib/scopes.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { ResourceDto, toResourceDto } from "./dto.ts";
import { SUBSCRIPTION } from "./lib/tree-kinds.ts";

const Body = Type.Object(
  {
    displayName: Type.String({ minLength: 1, maxLength: 64 }),
    /** The management group it sits in; the tenant root group when absent. */
    managementGroupId: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
);

/** `hostpass account create`: a subscription under a chosen id (a UUID). */
export function registerPutSubscription(app: App, deps: RouteDeps): void {
  app.put(
    SUBSCRIPTION.path,
    {
      config: { permission: { action: "Resources/subscriptions/write", scope: SUBSCRIPTION.id } },
      schema: {
        operationId: "Subscriptions_Create",
        tags: ["Resources"],
        summary: "Create a subscription",
        params: Type.Object(
          { subscriptionId: NameParam("subscription id") },
          { additionalProperties: false },
        ),
        body: Body,
        response: { 201: ResourceDto },
      },
    },
    async (request, reply) => {
      request.auditTarget = SUBSCRIPTION.id(request);
      const input = {
        tenantId: principalOf(request).tenantId,
        subscriptionId: request.params.subscriptionId,
        ...request.body,
      };
      const created = await inChange(request, deps, async (tx, note) => {
        const subscription = await createSubscription(tx.resources, input);
        note(subscription.id, {
          displayName: subscription.displayName,
          parentId: subscription.parentId ?? null,
        });
        return subscription;
      });
      return reply.code(201).send(toResourceDto(created));
    },
  );
}
