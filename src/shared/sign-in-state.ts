/**
 * The kinds of the portal's server-side state (portal/lib/state-store.ts) that anybody can create
 * without signing in: sign-in flows, WebAuthn challenges, pending OAuth and federated requests,
 * enrolments. Both state stores bound them apart from sessions (the memory one in caches of
 * their own, the store's by refusing past its bound), so a flood never pushes out a session.
 * A key's kind is its prefix before the first ':'.
 */
export const PENDING_STATE_KINDS: ReadonlySet<string> = new Set([
  "flow",
  "challenge",
  "oauth",
  "fed",
  "totp",
  "register",
]);

export function stateKindOf(key: string): string {
  const colon = key.indexOf(":");
  return colon < 0 ? "" : key.slice(0, colon);
}
