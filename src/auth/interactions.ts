/**
 * The hook points for the sign-in pages (a later step): oidc-provider sends the browser to
 * `interactionUrl(uid)`; the page reads `describeInteraction`, authenticates the user its own way
 * (password, TOTP, passkey), and calls `finishInteraction` with the account and how it signed in.
 * The returned URL is where to redirect the browser (303).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Provider } from "oidc-provider";
import { InteractionError } from "./errors.ts";
import { unavailableCause } from "./lib/store-unavailable.ts";
import type { AccountSource } from "./types.ts";

export interface InteractionView {
  readonly uid: string;
  /** `login` (no usable session) or `consent`. */
  readonly prompt: string;
  readonly reasons: readonly string[];
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly resources: readonly string[];
  readonly loginHint: string | undefined;
  /** `acr_values` as asked (`mfa`: the client needs a second factor, e.g. after a claims challenge). */
  readonly acrValues: readonly string[];
  /** The account of the current session, when the prompt is not a login. */
  readonly sessionAccountId: string | undefined;
}

export interface FinishInteractionInput {
  /** The object id of the user who just authenticated. */
  readonly accountId: string;
  /** RFC 8176 methods: `pwd`, `otp`, `mfa`, `hwk`, `swk`, ... */
  readonly amr: readonly string[];
  readonly acr?: string;
}

function asStrings(value: unknown): string[] {
  if (typeof value === "string") return value.split(" ").filter(Boolean);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

export async function describeInteraction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<InteractionView> {
  const details = await provider.interactionDetails(req, res).catch((cause: unknown) => {
    // The store failing is not a sign-in that expired: the caller answers 503, the user keeps it.
    const unavailable = unavailableCause(cause);
    if (unavailable !== undefined) throw unavailable;
    throw new InteractionError("The sign-in has expired or was not found. Start again.", { cause });
  });
  const { params } = details;
  return {
    uid: details.uid,
    prompt: details.prompt.name,
    reasons: [...details.prompt.reasons],
    clientId: String(params.client_id ?? ""),
    scopes: asStrings(params.scope),
    resources: Array.isArray(params.resource) ? asStrings(params.resource) : asStrings(params.resource ?? []),
    loginHint: typeof params.login_hint === "string" ? params.login_hint : undefined,
    acrValues: asStrings(params.acr_values),
    sessionAccountId: details.session?.accountId,
  };
}

/**
 * Completes the interaction for an authenticated user. The account is checked again here: a
 * disabled user never gets a session, whatever the page did.
 */
export async function finishInteraction(
  provider: Provider,
  accounts: AccountSource,
  req: IncomingMessage,
  res: ServerResponse,
  input: FinishInteractionInput,
): Promise<string> {
  await describeInteraction(provider, req, res);
  const account = await accounts.findAccount(input.accountId);
  if (account === undefined || !account.enabled) {
    throw new InteractionError("This account cannot sign in.");
  }
  const login = {
    accountId: account.id,
    amr: [...input.amr],
    ...(input.acr === undefined ? {} : { acr: input.acr }),
    remember: true,
  };
  // Consent comes with the sign-in: hostpass's clients are first party and their grant is made
  // from the request (lib/grants.ts). oidc-provider asks for it on every native-client
  // authorization (RFC 8252 §8.6: no silent sign-in for a client anyone can impersonate), so the
  // page must show `describeInteraction`'s client and scopes before it calls this.
  return provider.interactionResult(req, res, { login, consent: {} }, { mergeWithLastSubmission: false });
}

/** Ends the interaction with `access_denied` (the user cancelled, or sign-in failed for good). */
export async function abortInteraction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  description = "The user cancelled the sign-in.",
): Promise<string> {
  await describeInteraction(provider, req, res);
  return provider.interactionResult(
    req,
    res,
    { error: "access_denied", error_description: description },
    { mergeWithLastSubmission: false },
  );
}
