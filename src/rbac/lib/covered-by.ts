import { scopeKey } from "../scope.ts";

/** Whether one of `scopes` is among `ancestorKeys` (a scope's keys from `RbacEngine.ancestorKeys`). */
export function coveredBy(ancestorKeys: readonly string[], scopes: readonly string[]): boolean {
  return scopes.some((s) => ancestorKeys.includes(scopeKey(s)));
}
