/**
 * The CA's entries in the tenant's change log (shared/change-log.ts): hosts trust the user-CA keys
 * and keep the KRL, so both are followed like any other change. CA keys are shared by every
 * tenant: a key change is recorded in each tenant's log.
 */
import { isChangeOf, type LoggedChange } from "../shared/change-log.ts";

export type CaChange =
  /** A CA key was created or changed state (announce, activate, retire): re-read the trusted set. */
  | { readonly version: number; readonly kind: "caKeys.changed"; readonly purpose: "user" | "host" }
  /** A certificate serial or a key id was revoked: the KRL changed. */
  | {
      readonly version: number;
      readonly kind: "revocation.added";
      readonly serial?: string;
      readonly keyId?: string;
    };

export const CA_CHANGE_KINDS: ReadonlySet<string> = new Set(["caKeys.changed", "revocation.added"]);

export const isCaChange = (c: LoggedChange): c is CaChange => isChangeOf<CaChange>(CA_CHANGE_KINDS, c);
