import type { FastifyRequest } from "fastify";
import {
  managementGroupId,
  type ResourceKind,
  resourceGroupId,
  subscriptionResourceId,
} from "../../../../resources/index.ts";

/** Management groups, subscriptions and resource groups share show and delete. */
export interface TreeKind {
  readonly name: "ManagementGroup" | "Subscription" | "ResourceGroup";
  readonly kind: ResourceKind;
  readonly path: string;
  readonly actions: string;
  id(request: FastifyRequest): string;
}

interface TreeParams {
  managementGroupId: string;
  subscriptionId: string;
  resourceGroupName: string;
}

const p = (r: FastifyRequest) => r.params as TreeParams;

export const MANAGEMENT_GROUP: TreeKind = {
  name: "ManagementGroup",
  kind: "managementGroup",
  path: "/providers/Management/managementGroups/:managementGroupId",
  actions: "Management/managementGroups",
  id: (r) => managementGroupId(p(r).managementGroupId).id,
};

export const SUBSCRIPTION: TreeKind = {
  name: "Subscription",
  kind: "subscription",
  path: "/subscriptions/:subscriptionId",
  actions: "Resources/subscriptions",
  id: (r) => subscriptionResourceId(p(r).subscriptionId).id,
};

export const RESOURCE_GROUP: TreeKind = {
  name: "ResourceGroup",
  kind: "resourceGroup",
  path: "/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName",
  actions: "Resources/subscriptions/resourceGroups",
  id: (r) => resourceGroupId(p(r).subscriptionId, p(r).resourceGroupName).id,
};

export const TREE_KINDS: readonly TreeKind[] = [MANAGEMENT_GROUP, SUBSCRIPTION, RESOURCE_GROUP];
