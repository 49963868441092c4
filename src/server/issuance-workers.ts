/**
 * Issuance on every core (`hostpass server --issuance-workers N`): the main thread keeps HTTP, TLS
 * and the access-token check (signature and liveness, with their caches); N worker threads
 * (issuance-worker.ts) each run the issuance use case with their own store connection for reads,
 * so DPoP verification, reads and signing happen beside the event loop. A request goes to the
 * worker with the fewest requests in flight. Records are written here, by the in-process group
 * commit, for every worker at once: one transaction per group of certificates, the store deciding
 * replays, as in-process.
 *
 * A worker that dies fails its requests in flight (503) and leaves the pool; with none left,
 * requests are issued in-process.
 */
import { Worker } from "node:worker_threads";
import {
  accessTokenOf,
  type CertificateIssuance,
  type IssuanceRecords,
  type VerifiedSignInToken,
} from "../ca/index.ts";
import { HostpassError } from "../shared/errors.ts";
import {
  RemoteIssuanceError,
  remoteErrorOf,
  type WorkerRecords,
  type WorkerReply,
  type WorkerRequest,
  type WorkerSetup,
} from "./issuance-protocol.ts";

export interface IssuanceWorkers extends CertificateIssuance {
  caKeysChanged(): void;
  /** Lets in-flight requests finish, flushes the workers' writes, stops them. */
  close(): Promise<void>;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, { resolve: (r: WorkerReply) => void; reject: (e: unknown) => void }>;
  alive: boolean;
}

class IssuanceWorkerGoneError extends HostpassError {
  readonly code = "ERR_SERVICE_UNAVAILABLE";
  readonly kind = "unavailable";
}

export async function startIssuanceWorkers(
  count: number,
  setup: WorkerSetup,
  deps: {
    /** The in-process issuance: CA keys, and requests when no worker is left. */
    readonly inline: CertificateIssuance;
    /** Where the workers' records are committed (the in-process issuance's group commit). */
    readonly records: IssuanceRecords;
    readonly verifyToken: (token: string) => Promise<VerifiedSignInToken & { readonly expiresAt: number }>;
    readonly onError: (error: unknown) => void;
  },
): Promise<IssuanceWorkers> {
  const url = new URL("./issuance-worker.ts", import.meta.url);
  const slots: Slot[] = [];
  let nextId = 1;
  const start = (): Promise<Slot> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(url, { workerData: setup });
      const slot: Slot = { worker, pending: new Map(), alive: false };
      worker.on("message", (m: WorkerReply | WorkerRecords | { type: "ready" } | { type: "closed" }) => {
        if ("type" in m) {
          if (m.type === "issued" || m.type === "refused") {
            const committed =
              m.type === "issued" ? deps.records.issued(m.record) : deps.records.refused(m.record);
            committed.then(
              () => worker.postMessage({ type: "recorded", rid: m.rid } satisfies WorkerRequest),
              (error: unknown) =>
                worker.postMessage({
                  type: "recorded",
                  rid: m.rid,
                  error: remoteErrorOf(error),
                } satisfies WorkerRequest),
            );
            return;
          }
          if (m.type === "ready") {
            slot.alive = true;
            resolve(slot);
          }
          return;
        }
        const waiting = slot.pending.get(m.id);
        slot.pending.delete(m.id);
        waiting?.resolve(m);
      });
      worker.on("error", (error) => {
        deps.onError(error);
        if (!slot.alive) reject(error);
      });
      worker.on("exit", () => {
        slot.alive = false;
        const index = slots.indexOf(slot);
        if (index >= 0) slots.splice(index, 1);
        for (const p of slot.pending.values())
          p.reject(new IssuanceWorkerGoneError("an issuance worker stopped; try again"));
        slot.pending.clear();
        if (!slot.alive) reject(new Error("issuance worker exited during start"));
      });
    });
  slots.push(...(await Promise.all(Array.from({ length: count }, start))));

  const least = (): Slot | undefined => {
    let best: Slot | undefined;
    for (const s of slots) if (s.alive && (!best || s.pending.size < best.pending.size)) best = s;
    return best;
  };

  return {
    async request(input) {
      const slot = least();
      if (!slot) return deps.inline.request(input);
      // The token is checked here, where its caches live; a header without one goes on as it
      // came and the worker refuses it exactly as in-process issuance does.
      const presented = accessTokenOf(input.authorization);
      const verified = presented ? await deps.verifyToken(presented.token) : undefined;
      const id = nextId++;
      const message: WorkerRequest = {
        type: "issue",
        id,
        input,
        ...(verified ? { token: { token: verified, expiresAtMs: verified.expiresAt * 1000 } } : {}),
      };
      const reply = await new Promise<WorkerReply>((resolve, reject) => {
        slot.pending.set(id, { resolve, reject });
        slot.worker.postMessage(message);
      });
      if (reply.error) throw new RemoteIssuanceError(reply.error);
      return reply.answer;
    },
    caKeys: () => deps.inline.caKeys(),
    caKeysChanged() {
      for (const s of slots) s.worker.postMessage({ type: "caKeysChanged" } satisfies WorkerRequest);
    },
    async close() {
      await Promise.all(
        [...slots].map(async (s) => {
          while (s.pending.size > 0) await new Promise((r) => setTimeout(r, 10));
          const closed = new Promise<void>((resolve) =>
            s.worker.on("message", (m: { type?: string }) => m.type === "closed" && resolve()),
          );
          s.worker.postMessage({ type: "close" } satisfies WorkerRequest);
          await closed;
          await s.worker.terminate();
        }),
      );
    },
  };
}
