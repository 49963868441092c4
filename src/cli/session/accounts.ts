/**
 * The token cache (`accounts.json`, 0600): one entry per signed-in identity and cloud, with the
 * rotating refresh token (users) or the credential to get new tokens (service principals, as
 * `az` keeps them), and access tokens per resource until shortly before they expire.
 */
import { CliUsageError } from "../errors.ts";
import { readState, writeState } from "./config-dir.ts";
import { NotSignedInError } from "./errors.ts";
import { invalidateFastPath } from "./fast-path.ts";

export interface CachedToken {
  readonly token: string;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
}

export interface ServicePrincipalCredential {
  readonly appId: string;
  readonly secret?: string;
  /** PEM file holding the private key (and certificate) of a certificate credential. */
  readonly certificateFile?: string;
}

export interface Account {
  readonly cloud: string;
  readonly tenantId: string;
  readonly objectId: string;
  readonly user: { readonly name: string; readonly type: "user" | "servicePrincipal" };
  readonly isDefault: boolean;
  readonly subscription?: { readonly id: string; readonly name: string };
  readonly refreshToken?: string;
  readonly servicePrincipal?: ServicePrincipalCredential;
  readonly accessTokens: Readonly<Record<string, CachedToken>>;
}

interface AccountState {
  readonly accounts: readonly Account[];
}

const FILE = "accounts.json";
/** Tokens this close to expiry are treated as expired (MSAL uses 5 minutes too). */
export const EXPIRY_MARGIN_MS = 5 * 60_000;

export async function loadAccounts(dir: string): Promise<readonly Account[]> {
  return (await readState<AccountState>(dir, FILE, { accounts: [] })).accounts;
}

export function sameIdentity(a: Account, b: Pick<Account, "cloud" | "tenantId" | "objectId">): boolean {
  return a.cloud === b.cloud && a.tenantId === b.tenantId && a.objectId === b.objectId;
}

/** Stores `account` (replacing the same identity) and makes it the default for its cloud. */
export async function saveAccount(dir: string, account: Omit<Account, "isDefault">): Promise<Account> {
  const others = (await loadAccounts(dir))
    .filter((a) => !sameIdentity(a, account))
    .map((a) => (a.cloud === account.cloud ? { ...a, isDefault: false } : a));
  const saved: Account = { ...account, isDefault: true };
  await writeState(dir, FILE, { accounts: [...others, saved] });
  await invalidateFastPath(dir);
  return saved;
}

/** Updates one cached identity in place (rotated refresh token, new access token). */
export async function updateAccount(
  dir: string,
  account: Account,
  change: Partial<Account>,
): Promise<Account> {
  const accounts = await loadAccounts(dir);
  const updated: Account = { ...account, ...change };
  await writeState(dir, FILE, { accounts: accounts.map((a) => (sameIdentity(a, account) ? updated : a)) });
  // A new default subscription changes what `-n -g` names; a token alone changes nothing.
  if ("subscription" in change) await invalidateFastPath(dir);
  return updated;
}

export async function removeAccounts(
  dir: string,
  cloud: string,
  userName?: string,
): Promise<readonly Account[]> {
  const accounts = await loadAccounts(dir);
  const removed = accounts.filter(
    (a) => a.cloud === cloud && (userName === undefined || a.user.name === userName),
  );
  await writeState(dir, FILE, { accounts: accounts.filter((a) => !removed.includes(a)) });
  await invalidateFastPath(dir);
  return removed;
}

export async function defaultAccount(dir: string, cloud: string): Promise<Account> {
  const account = (await loadAccounts(dir)).find((a) => a.cloud === cloud && a.isDefault);
  if (!account) throw new NotSignedInError(`No account is signed in to cloud ${cloud}`);
  return account;
}

/** Makes the account holding `subscriptionOrTenant` (id or name) the default for its cloud. */
export async function setDefaultAccount(dir: string, cloud: string, selector: string): Promise<Account> {
  const accounts = await loadAccounts(dir);
  const match = accounts.find(
    (a) =>
      a.cloud === cloud &&
      (a.subscription?.id === selector ||
        a.subscription?.name === selector ||
        a.tenantId === selector ||
        a.user.name === selector),
  );
  if (!match) {
    const here = accounts.filter((a) => a.cloud === cloud);
    if (here.length === 0)
      throw new NotSignedInError(`No signed-in account matches ${JSON.stringify(selector)}`);
    // Signed in, but nothing of that name: the argument is wrong, not the sign-in (trial finding 7).
    const known = here.map((a) => a.subscription?.name ?? a.subscription?.id ?? a.user.name);
    throw new CliUsageError(
      `--subscription: no subscription, tenant or signed-in user named ${JSON.stringify(selector)}; signed in: ${known.map((k) => JSON.stringify(k)).join(", ")}`,
    );
  }
  await writeState(dir, FILE, {
    accounts: accounts.map((a) => (a.cloud === cloud ? { ...a, isDefault: sameIdentity(a, match) } : a)),
  });
  await invalidateFastPath(dir);
  return { ...match, isDefault: true };
}

export function usableToken(account: Account, resource: string, nowMs: number): string | undefined {
  const cached = account.accessTokens[resource];
  return cached && cached.expiresAt - EXPIRY_MARGIN_MS > nowMs ? cached.token : undefined;
}
