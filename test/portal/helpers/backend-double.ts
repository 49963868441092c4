/**
 * An in-test double of `SignInBackend`: accounts, factors, interactions and device codes in
 * memory, with the real TOTP and passkey code from src/mfa underneath. The real implementation
 * (src/server wiring src/directory and src/auth) replaces it in production.
 */
import { timingSafeEqual } from "node:crypto";
import { type Passkey, verifyTotp } from "../../../src/mfa/index.ts";
import type {
  AccountFactors,
  DeviceCodeView,
  InteractionOutcome,
  InteractionView,
  PortalPrincipal,
  SecurityChange,
  SignInAccount,
  SignInBackend,
  SignInEvent,
} from "../../../src/portal/index.ts";

interface TestUser {
  account: SignInAccount;
  password: string;
  totp?: { secret: string; lastStep: number | null };
  passkeys: Passkey[];
}

export class InTestBackendDouble implements SignInBackend {
  readonly users = new Map<string, TestUser>();
  readonly interactions = new Map<string, InteractionView>();
  readonly outcomes = new Map<string, InteractionOutcome>();
  readonly devices = new Map<string, DeviceCodeView>();
  readonly deviceDecisions = new Map<string, { approved: boolean; principal?: PortalPrincipal }>();
  readonly events: SignInEvent[] = [];
  readonly securityChanges: SecurityChange[] = [];

  addUser(upn: string, password: string): SignInAccount {
    const account = {
      id: `oid-${this.users.size + 1}-${upn.split("@")[0]}`,
      upn,
      displayName: upn.split("@")[0] ?? upn,
    };
    this.users.set(account.id, { account, password, passkeys: [] });
    return account;
  }

  setTotp(accountId: string, secret: string): void {
    this.#user(accountId).totp = { secret, lastStep: null };
  }

  #user(id: string): TestUser {
    const user = this.users.get(id);
    if (user === undefined) throw new TypeError(`no test user ${id}`);
    return user;
  }

  async lookupInteraction(uid: string): Promise<InteractionView | undefined> {
    return this.outcomes.has(uid) ? undefined : this.interactions.get(uid);
  }

  async finishInteraction(uid: string, outcome: InteractionOutcome): Promise<{ redirectTo: string }> {
    if (!this.interactions.has(uid) || this.outcomes.has(uid))
      throw new TypeError("interaction finished twice");
    this.outcomes.set(uid, outcome);
    return { redirectTo: `/test-client/callback?uid=${uid}` };
  }

  async verifyPassword(upn: string, password: string): Promise<SignInAccount | undefined> {
    const user = [...this.users.values()].find((u) => u.account.upn === upn.toLowerCase());
    const a = Buffer.from(user?.password ?? "\0never");
    const b = Buffer.from(password);
    return user !== undefined && a.length === b.length && timingSafeEqual(a, b) ? user.account : undefined;
  }

  async getAccount(accountId: string): Promise<SignInAccount | undefined> {
    return this.users.get(accountId)?.account;
  }

  async listFactors(accountId: string): Promise<AccountFactors> {
    const user = this.users.get(accountId);
    return { totp: user?.totp !== undefined, passkeys: [...(user?.passkeys ?? [])] };
  }

  async verifyTotp(accountId: string, code: string, nowMs: number): Promise<boolean> {
    const totp = this.users.get(accountId)?.totp;
    if (totp === undefined) return false;
    try {
      totp.lastStep = verifyTotp(totp.secret, code, nowMs, totp.lastStep);
      return true;
    } catch {
      return false;
    }
  }

  async saveTotp(accountId: string, secret: string, lastUsedStep: number): Promise<void> {
    this.#user(accountId).totp = { secret, lastStep: lastUsedStep };
  }

  async findPasskeyOwner(credentialId: string): Promise<SignInAccount | undefined> {
    return [...this.users.values()].find((u) => u.passkeys.some((p) => p.id === credentialId))?.account;
  }

  async addPasskey(accountId: string, passkey: Passkey): Promise<void> {
    this.#user(accountId).passkeys.push(passkey);
  }

  async updatePasskey(accountId: string, passkey: Passkey): Promise<void> {
    const user = this.#user(accountId);
    user.passkeys = user.passkeys.map((p) => (p.id === passkey.id ? passkey : p));
  }

  async lookupDeviceCode(userCode: string): Promise<DeviceCodeView | undefined> {
    return this.deviceDecisions.has(userCode) ? undefined : this.devices.get(userCode);
  }

  async approveDeviceCode(userCode: string, principal: PortalPrincipal): Promise<void> {
    this.deviceDecisions.set(userCode, { approved: true, principal });
  }

  async denyDeviceCode(userCode: string): Promise<void> {
    this.deviceDecisions.set(userCode, { approved: false });
  }

  async recordSignIn(event: SignInEvent): Promise<void> {
    this.events.push(event);
  }

  async changePassword(accountId: string, current: string | undefined, next: string): Promise<void> {
    const user = this.#user(accountId);
    if (current !== undefined && current !== user.password) throw new TypeError("wrong current password");
    user.password = next;
  }

  async recordSecurityChange(change: SecurityChange): Promise<void> {
    this.securityChanges.push(change);
  }
}
