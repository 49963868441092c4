/**
 * The ordered list of migrations. Forward-only: a shipped migration is never edited or removed;
 * changes come as a new numbered file appended here.
 */
import type { Migration } from "kysely";
import * as initial from "./0001-initial.ts";
import * as signIn from "./0002-sign-in.ts";
import * as conditionalAccess from "./0003-conditional-access.ts";
import * as changeLog from "./0010-change-log.ts";
import * as hostChannel from "./0011-host-channel.ts";
import * as adminSshKey from "./0040-admin-ssh-key.ts";
import * as passwordChange from "./0050-password-change.ts";
import * as sessionsValidFrom from "./0060-sessions-valid-from.ts";
import * as auditChainKeyed from "./0061-audit-chain-keyed.ts";
import * as scim from "./0080-scim.ts";
import * as identityProviders from "./0081-identity-providers.ts";
import * as appRedirectUris from "./0082-app-redirect-uris.ts";
import * as idpSigningKey from "./0083-idp-signing-key.ts";
import * as replicas from "./0100-replicas.ts";

export const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  "0001-initial": initial,
  "0002-sign-in": signIn,
  "0003-conditional-access": conditionalAccess,
  "0010-change-log": changeLog,
  "0011-host-channel": hostChannel,
  "0040-admin-ssh-key": adminSshKey,
  "0050-password-change": passwordChange,
  "0060-sessions-valid-from": sessionsValidFrom,
  "0061-audit-chain-keyed": auditChainKeyed,
  "0080-scim": scim,
  "0081-identity-providers": identityProviders,
  "0082-app-redirect-uris": appRedirectUris,
  "0083-idp-signing-key": idpSigningKey,
  "0100-replicas": replicas,
});
