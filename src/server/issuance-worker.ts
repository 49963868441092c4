/**
 * One issuance worker thread (issuance-workers.ts): its own store connection, CA keyring, group
 * commit and memory of recent proof ids, so DPoP verification, reads, signing and the records'
 * transaction run beside the event loop of the server's main thread. The main thread verified
 * the access token (signature and liveness, with its caches) and sends it with the request; this
 * thread trusts that and does everything else exactly as in-process issuance does.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createAuditWriter } from "../audit/index.ts";
import { InvalidAccessTokenError } from "../auth/index.ts";
import {
  accessTokenOf,
  createCaKeyring,
  createCertificateIssuance,
  type IssuanceInput,
  type VerifiedSignInToken,
} from "../ca/index.ts";
import { systemClock } from "../shared/clock.ts";
import { isHostpassError } from "../shared/errors.ts";
import { ExpiringCache } from "../shared/expiring-cache.ts";
import { openStore } from "../store/index.ts";
import type { WorkerReply, WorkerRequest, WorkerSetup } from "./issuance-protocol.ts";
import { accessSignals, issuanceRecords, subjectFinder } from "./wire-certificates.ts";

const setup = workerData as WorkerSetup;
const port = parentPort;
if (!port) throw new TypeError("issuance-worker.ts runs as a worker thread");

const store = await openStore({ url: setup.storeUrl, keyEncryptionKey: setup.kek });
const auditWriter = createAuditWriter(store.audit);
const keyring = createCaKeyring(store.caKeys, setup.kek, systemClock);
/** Tokens the main thread verified, by their text, until they expire. */
const verified = new ExpiringCache<string, VerifiedSignInToken>({
  max: 10_000,
  ttlMs: 3_600_000,
  clock: systemClock,
});
const records = issuanceRecords(
  store,
  { append: async (r) => void (await auditWriter.append(r)) },
  systemClock,
);
const issuance = createCertificateIssuance({
  url: setup.url,
  clock: systemClock,
  verifyAccessToken: async (token) => {
    const known = verified.get(token);
    if (known === undefined) throw new InvalidAccessTokenError();
    return known;
  },
  findSubject: subjectFinder(store),
  signals: accessSignals(store),
  keyring,
  records,
  ...(setup.defaultLifetimeSeconds ? { defaultLifetimeSeconds: setup.defaultLifetimeSeconds } : {}),
});

function errorReply(id: number, error: unknown): WorkerReply {
  if (isHostpassError(error)) {
    return {
      id,
      error: { code: error.code, kind: error.kind, message: error.message, json: error.toJSON() },
    };
  }
  return {
    id,
    error: {
      code: "ERR_INTERNAL",
      kind: "internal",
      message: "internal error",
      detail: error instanceof Error ? (error.stack ?? error.message) : String(error),
    },
  };
}

port.on("message", (message: WorkerRequest) => {
  if (message.type === "caKeysChanged") {
    keyring.invalidate();
    return;
  }
  if (message.type === "close") {
    void (async () => {
      await auditWriter.flush();
      await store.close();
      port.postMessage({ type: "closed" });
    })();
    return;
  }
  const { id, input, token } = message;
  const accessToken = accessTokenOf(input.authorization)?.token;
  if (token && accessToken !== undefined) verified.setUntil(accessToken, token.token, token.expiresAtMs);
  issuance.request(input as IssuanceInput).then(
    (answer) => port.postMessage({ id, answer } satisfies WorkerReply),
    (error: unknown) => port.postMessage(errorReply(id, error)),
  );
});
port.postMessage({ type: "ready" });
