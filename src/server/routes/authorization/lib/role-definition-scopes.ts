import { SCOPE_TEMPLATES, type ScopeTemplate } from "../../../lib/scopes.ts";

/** Role definitions are tenant-wide; they are reachable at the root and under a subscription, as az uses them. */
export const ROLE_DEFINITION_SCOPES: readonly ScopeTemplate[] = SCOPE_TEMPLATES.filter(
  (t) => t.name === "Root" || t.name === "Subscription",
);
