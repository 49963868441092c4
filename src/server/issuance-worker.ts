/**
 * One issuance worker thread (issuance-workers.ts): its own store connection (for reads), CA
 * keyring and memory of recent proof ids, so DPoP verification, reads and signing run beside the
 * event loop of the server's main thread. The main thread verified the access token (signature
 * and liveness, with its caches) and sends it with the request; this thread trusts that and does
 * everything else exactly as in-process issuance does, except writing: its records go back to
 * the main thread's group commit (one writer for every worker; SQLite writers in several threads
 * waited for each other's lock in SQLite's sleeping busy handler, and made smaller groups).
 */
import { parentPort, workerData } from "node:worker_threads";
import { InvalidAccessTokenError } from "../auth/index.ts";
import {
  accessTokenOf,
  createCaKeyring,
  createCertificateIssuance,
  type IssuanceInput,
  type IssuanceRecords,
  type VerifiedSignInToken,
} from "../ca/index.ts";
import { systemClock } from "../shared/clock.ts";
import { ExpiringCache } from "../shared/expiring-cache.ts";
import { openStore } from "../store/index.ts";
import {
  RemoteIssuanceError,
  remoteErrorOf,
  type WorkerRecords,
  type WorkerReply,
  type WorkerRequest,
  type WorkerSetup,
} from "./issuance-protocol.ts";
import { accessSignals, subjectFinder } from "./wire-certificates.ts";

const setup = workerData as WorkerSetup;
const port = parentPort;
if (!port) throw new TypeError("issuance-worker.ts runs as a worker thread");

const store = await openStore({ url: setup.storeUrl, keyEncryptionKey: setup.kek });
const keyring = createCaKeyring(store.caKeys, setup.kek, systemClock);
/** Tokens the main thread verified, by their text, until they expire. */
const verified = new ExpiringCache<string, VerifiedSignInToken>({
  max: 10_000,
  ttlMs: 3_600_000,
  clock: systemClock,
});
/** Records go to the main thread's group commit; each resolves once committed there. */
const committing = new Map<number, { resolve: () => void; reject: (error: unknown) => void }>();
let nextRid = 1;
const toMainThread =
  <K extends WorkerRecords["type"]>(type: K) =>
  (record: Extract<WorkerRecords, { type: K }>["record"]): Promise<void> =>
    new Promise((resolve, reject) => {
      const rid = nextRid++;
      committing.set(rid, { resolve, reject });
      port.postMessage({ type, rid, record } as WorkerRecords);
    });
const records: IssuanceRecords = { issued: toMainThread("issued"), refused: toMainThread("refused") };
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
  return { id, error: remoteErrorOf(error) };
}

port.on("message", (message: WorkerRequest) => {
  if (message.type === "caKeysChanged") {
    keyring.invalidate();
    return;
  }
  if (message.type === "recorded") {
    const waiting = committing.get(message.rid);
    committing.delete(message.rid);
    if (message.error) waiting?.reject(new RemoteIssuanceError(message.error));
    else waiting?.resolve();
    return;
  }
  if (message.type === "close") {
    void (async () => {
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
