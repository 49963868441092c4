/**
 * Linux VM Sign-In tokens are always sender-constrained (issue 11 item 5): the authorization server
 * issues a token for that resource only DPoP-bound (RFC 9449, `cnf.jkt` = the thumbprint of the key
 * that signed the proof, which the CA then requires to be the SSH key it certifies), so a stolen
 * token cannot mint a certificate for another key. A token request that would yield one without a
 * DPoP proof is refused with `invalid_dpop_proof`, before anything of the grant is used up:
 *
 * - refresh: checked before oidc-provider rotates the refresh token (`rotateRefreshToken`), so the
 *   client keeps its refresh token and can try again with a proof;
 * - every grant: checked again when the resource is resolved (`getResourceServerInfo` at the token
 *   endpoint; oidc-provider has validated any proof by then), and the token itself is checked for
 *   its `jkt` before it is signed (`extraTokenClaims`), so no path issues an unbound one.
 *
 * A code or device code granted for several resources is redeemed for Linux VM Sign-In only when
 * the request carries a proof; without one, for the management API (the CLI's sign-in keeps only
 * the refresh token and reaches Linux VM Sign-In later with a proof made with the SSH key).
 */
import { errors, type KoaContextWithOIDC } from "oidc-provider";
import { LINUX_VM_SIGN_IN_RESOURCE } from "../constants.ts";

/** The OAuth error of a refused request; its description is fixed. */
export const UNBOUND_SIGN_IN_TOKEN_DESCRIPTION =
  "Linux VM Sign-In tokens are issued only DPoP-bound: send a DPoP proof (RFC 9449) made with the key to certify";

function refuse(): never {
  throw new errors.InvalidDpopProof(UNBOUND_SIGN_IN_TOKEN_DESCRIPTION);
}

/** Whether the request carries a `DPoP` header (at the token endpoint oidc-provider verifies it first). */
export function hasDpopProof(ctx: KoaContextWithOIDC | undefined): boolean {
  const header = ctx?.headers?.dpop;
  return typeof header === "string" && header.length > 0;
}

/**
 * One resource of several granted: Linux VM Sign-In when it is among them and the request is
 * DPoP-bound, else the first other one; Linux VM Sign-In alone stays itself (and is refused
 * without a proof).
 */
export function pickResource(resources: readonly string[], dpop: boolean): string | undefined {
  if (dpop && resources.includes(LINUX_VM_SIGN_IN_RESOURCE)) return LINUX_VM_SIGN_IN_RESOURCE;
  return resources.find((r) => r !== LINUX_VM_SIGN_IN_RESOURCE) ?? resources[0];
}

/** At the token endpoint: refuses resolving Linux VM Sign-In for a request without a proof. */
export function requireProofForResource(ctx: KoaContextWithOIDC | undefined, resource: string): void {
  if (ctx?.oidc?.route === "token" && resource === LINUX_VM_SIGN_IN_RESOURCE && !hasDpopProof(ctx)) refuse();
}

/**
 * Before a refresh token is rotated: the resource the refresh will be for, as oidc-provider will
 * resolve it (the requested `resource`, else the one granted, one picked when several), refused
 * when it is Linux VM Sign-In and the request has no proof.
 */
export function requireProofForRefresh(ctx: KoaContextWithOIDC): void {
  if (hasDpopProof(ctx)) return;
  const requested = ctx.oidc.params?.resource;
  const granted = ctx.oidc.entities.RefreshToken?.resource;
  let resource: unknown;
  if (typeof requested === "string" && requested !== "") resource = requested;
  else if (Array.isArray(requested))
    resource = requested.includes(LINUX_VM_SIGN_IN_RESOURCE) ? LINUX_VM_SIGN_IN_RESOURCE : undefined;
  else if (typeof granted === "string") resource = granted;
  else if (Array.isArray(granted)) resource = pickResource(granted as string[], false);
  if (resource === LINUX_VM_SIGN_IN_RESOURCE) refuse();
}

/** Last check on the token itself before it is signed: one for Linux VM Sign-In carries `jkt`. */
export function requireBoundToken(token: { readonly [key: string]: unknown }): void {
  const server = token.resourceServer as { readonly audience?: unknown } | undefined;
  const audience = server?.audience ?? token.aud;
  const forSignIn = Array.isArray(audience)
    ? audience.includes(LINUX_VM_SIGN_IN_RESOURCE)
    : audience === LINUX_VM_SIGN_IN_RESOURCE;
  if (forSignIn && (typeof token.jkt !== "string" || token.jkt === "")) refuse();
}
