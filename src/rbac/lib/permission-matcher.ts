/**
 * Decides whether a role's permission block grants one operation, Azure style: an action is
 * granted when it matches `actions` and no `notActions`; a data action only ever looks at
 * `dataActions` and `notDataActions` (so `*` in actions never grants a login). `*` matches any
 * run of characters, `/` included; matching is case-insensitive and ignores a leading
 * `Microsoft.` on both sides. Results are memoised per operation: the operation vocabulary is
 * small, so the memo stays small.
 */
import type { Permissions } from "../repository.ts";

/** Lower case without Azure's `microsoft.` namespace prefix: the form every comparison uses. */
export function normalizeOperation(op: string): string {
  const low = op.toLowerCase();
  return low.startsWith("microsoft.") ? low.slice("microsoft.".length) : low;
}

type Test = (op: string) => boolean;

function compile(patterns: readonly string[]): Test {
  const exact = new Set<string>();
  const wild: RegExp[] = [];
  for (const p of patterns) {
    const n = normalizeOperation(p);
    if (!n.includes("*")) {
      exact.add(n);
      continue;
    }
    const body = n
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*");
    wild.push(new RegExp(`^${body}$`));
  }
  return (op) => exact.has(op) || wild.some((r) => r.test(op));
}

const MEMO_LIMIT = 4096;

export class PermissionMatcher {
  readonly #actions: Test;
  readonly #notActions: Test;
  readonly #dataActions: Test;
  readonly #notDataActions: Test;
  readonly #memo = new Map<string, boolean>();

  constructor(permissions: Permissions) {
    this.#actions = compile(permissions.actions);
    this.#notActions = compile(permissions.notActions);
    this.#dataActions = compile(permissions.dataActions);
    this.#notDataActions = compile(permissions.notDataActions);
  }

  /** `op` must already be normalised with `normalizeOperation`. */
  grants(op: string, isDataAction: boolean): boolean {
    const memoKey = isDataAction ? `d:${op}` : `a:${op}`;
    const hit = this.#memo.get(memoKey);
    if (hit !== undefined) return hit;
    const result = isDataAction
      ? this.#dataActions(op) && !this.#notDataActions(op)
      : this.#actions(op) && !this.#notActions(op);
    // Operations come from our own code, but cap the memo in case a caller passes user text.
    if (this.#memo.size >= MEMO_LIMIT) this.#memo.clear();
    this.#memo.set(memoKey, result);
    return result;
  }
}
