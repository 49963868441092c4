/**
 * Reports waiting for the service (login attempts, extension results, grace transitions): sent in
 * batches of at most 500, kept while the service is unreachable, and saved in the agent's state
 * so the grace transitions of an outage reach the audit log even if the agent restarts meanwhile.
 */
import { ServiceError } from "../cli/session/errors.ts";
import type { AgentReport } from "../shared/host-protocol.ts";
import type { AgentStore } from "./agent-store.ts";
import { AgentNotJoinedError } from "./errors.ts";
import type { AgentLog } from "./host-controller.ts";

const FILE = "reports.json";
const MAX_QUEUED = 10_000;
export const REPORT_BATCH = 500;

export class ReportQueue {
  readonly #store: AgentStore;
  readonly #log: AgentLog;
  #queue: AgentReport[] = [];
  #saved = 0;
  #sending = false;

  constructor(store: AgentStore, log: AgentLog) {
    this.#store = store;
    this.#log = log;
  }

  get length(): number {
    return this.#queue.length;
  }

  async load(): Promise<void> {
    this.#queue = ((await this.#store.read<AgentReport[]>(FILE)) ?? []).slice(-MAX_QUEUED);
    this.#saved = this.#queue.length;
  }

  push(report: AgentReport): void {
    if (this.#queue.length >= MAX_QUEUED) {
      this.#queue.shift();
      this.#log("warn", "report queue full: dropped the oldest report");
    }
    this.#queue.push(report);
  }

  /** Sends everything queued; keeps what could not be sent. */
  async send(post: (batch: readonly AgentReport[]) => Promise<void>): Promise<void> {
    if (this.#sending || this.#queue.length === 0) return;
    this.#sending = true;
    try {
      while (this.#queue.length) {
        const batch = this.#queue.slice(0, REPORT_BATCH);
        try {
          await post(batch);
          this.#queue.splice(0, batch.length);
        } catch (error) {
          if (!(error instanceof ServiceError && error.status === 400)) throw error;
          this.#dropRefused(error, batch.length);
        }
      }
    } catch (error) {
      if (!(error instanceof AgentNotJoinedError)) {
        this.#log("warn", "reports not sent; kept for later", {
          queued: this.#queue.length,
          error: (error as Error).message,
        });
      }
    } finally {
      this.#sending = false;
    }
  }

  /**
   * The service refused a batch as malformed: the report it names (`report N: …`) is dropped and
   * logged, or the whole batch when it names none, so one report can never block the rest forever.
   */
  #dropRefused(error: ServiceError, batchLength: number): void {
    const index = Number(/report (\d+):/.exec(error.message)?.[1]);
    const dropped =
      Number.isSafeInteger(index) && index < batchLength
        ? this.#queue.splice(index, 1)
        : this.#queue.splice(0, batchLength);
    this.#log("error", "the service refused reports; dropped", { reports: dropped, error: error.message });
  }

  /** Writes the queue to the agent's state when it changed since the last save. */
  async save(): Promise<void> {
    if (this.#queue.length === 0 && this.#saved === 0) return;
    await this.#store.write(FILE, this.#queue);
    this.#saved = this.#queue.length;
  }
}
