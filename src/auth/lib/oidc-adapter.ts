/**
 * The bridge between oidc-provider's adapter API (one instance per model name) and `OidcStorage`.
 * Two things are added on the way:
 *
 * - `consume` is atomic. oidc-provider itself reads `consumed` and then writes it, so two
 *   concurrent redemptions of one code or refresh token could both succeed. Here the store decides
 *   who was first; the loser gets `invalid_grant` and, as for any reuse, the whole grant (every
 *   token issued from it) is revoked.
 * - `Client` is never stored: clients come from configuration (the CLI) and from the directory
 *   (service principals), through `findClient`.
 */
import { errors } from "oidc-provider";
import type { OidcModelName, OidcPayload, OidcStorage } from "../types.ts";

/** Models whose entries carry a `grantId` and die with their grant. */
const GRANT_BOUND: readonly OidcModelName[] = [
  "AccessToken",
  "AuthorizationCode",
  "RefreshToken",
  "DeviceCode",
  "BackchannelAuthenticationRequest",
];

/**
 * Token models check their own `exp` on every read. Keeping them a little past it lets
 * oidc-provider tell "expired" (`expired_token` for a device code, RFC 8628) from "never existed".
 */
const TOKEN_MODELS: ReadonlySet<string> = new Set([
  ...GRANT_BOUND,
  "ClientCredentials",
  "PushedAuthorizationRequest",
]);
const EXPIRED_TOKEN_RETENTION_SECONDS = 60;

export type ClientFinder = (clientId: string) => Promise<Readonly<Record<string, unknown>> | undefined>;

/** Revokes everything issued under a grant, and the grant itself. */
export async function revokeGrantFamily(storage: OidcStorage, grantId: string): Promise<void> {
  await Promise.all([
    ...GRANT_BOUND.map((model) => storage.revokeByGrantId(model, grantId)),
    storage.destroy("Grant", grantId),
  ]);
}

export interface OidcAdapter {
  upsert(id: string, payload: OidcPayload, expiresIn: number): Promise<void>;
  find(id: string): Promise<OidcPayload | undefined>;
  findByUserCode(userCode: string): Promise<OidcPayload | undefined>;
  findByUid(uid: string): Promise<OidcPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

export function createAdapterFactory(
  storage: OidcStorage,
  findClient: ClientFinder,
): (name: string) => OidcAdapter {
  return (name: string): OidcAdapter => {
    if (name === "Client") return clientAdapter(findClient);
    const model = name as OidcModelName;
    return {
      upsert: (id, payload, expiresIn) =>
        storage.upsert(
          model,
          id,
          payload,
          TOKEN_MODELS.has(model) ? expiresIn + EXPIRED_TOKEN_RETENTION_SECONDS : expiresIn,
        ),
      find: (id) => storage.find(model, id),
      findByUserCode: (userCode) => storage.findByUserCode(model, userCode),
      findByUid: (uid) => storage.findByUid(model, uid),
      destroy: (id) => storage.destroy(model, id),
      revokeByGrantId: (grantId) => storage.revokeByGrantId(model, grantId),
      async consume(id) {
        if (await storage.consume(model, id)) return;
        const payload = await storage.find(model, id);
        const grantId = payload?.grantId;
        if (typeof grantId === "string") await revokeGrantFamily(storage, grantId);
        throw new errors.InvalidGrant("grant already used");
      },
    };
  };
}

function clientAdapter(findClient: ClientFinder): OidcAdapter {
  const readOnly = async (): Promise<never> => {
    throw new TypeError("clients are not stored through the OAuth adapter");
  };
  return {
    find: (id) => findClient(id),
    upsert: readOnly,
    findByUserCode: async () => undefined,
    findByUid: async () => undefined,
    consume: readOnly,
    destroy: readOnly,
    revokeByGrantId: async () => undefined,
  };
}
