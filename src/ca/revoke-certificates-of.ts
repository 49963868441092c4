/**
 * Revokes every certificate a principal holds that is still valid: what ending its sign-in
 * sessions means for credentials that outlive tokens (directory/sessions.ts voids the tokens).
 * Revoked serials reach hosts through the KRL, so a certificate minted before the revocation no
 * longer logs in, and re-enabling the principal does not bring it back.
 */

/** The part of the certificate ledger this needs; the store's certificate repository has it. */
export interface CertificateRevocationStore {
  list(
    query: { tenantId: string; objectId: string; validAt: Date; revoked: false },
    page: { limit: number; cursor?: string },
  ): Promise<{ readonly items: readonly { readonly serial: bigint }[]; readonly nextCursor?: string }>;
  /** True when this call revoked it. */
  revokeSerial(serial: bigint, at: Date, reason: string): Promise<boolean>;
}

export interface RevokeCertificatesInput {
  readonly tenantId: string;
  readonly objectId: string;
  readonly at: Date;
  /** Kept with each revocation (the ledger shows it). */
  readonly reason: string;
}

/** Returns the serials this call revoked. Run it in the transaction of the change that causes it. */
export async function revokeCertificatesOf(
  store: CertificateRevocationStore,
  input: RevokeCertificatesInput,
): Promise<readonly bigint[]> {
  const serials: bigint[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list(
      { tenantId: input.tenantId, objectId: input.objectId, validAt: input.at, revoked: false },
      { limit: 1000, ...(cursor === undefined ? {} : { cursor }) },
    );
    serials.push(...page.items.map((c) => c.serial));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  const revoked: bigint[] = [];
  for (const serial of serials) {
    if (await store.revokeSerial(serial, input.at, input.reason)) revoked.push(serial);
  }
  return revoked;
}
