import { Type } from "@fastify/type-provider-typebox";
import { NameParam } from "../../../lib/scopes.ts";
import type { TreeKind } from "./tree-kinds.ts";

/** The params schema of a tree path: every `:name` in it is a validated name. */
export function treeParams(kind: TreeKind) {
  const names = [...kind.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] as string);
  return Type.Object(Object.fromEntries(names.map((n) => [n, NameParam(n)])), {
    additionalProperties: false,
  });
}
