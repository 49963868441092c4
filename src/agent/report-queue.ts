/**
 * Reports waiting for the service (login attempts, extension results, grace transitions): sent in
 * batches of at most 500, kept while the service is unreachable, and saved in the agent's state
 * so the grace transitions of an outage reach the audit log even if the agent restarts meanwhile.
 */
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
        await post(batch);
        this.#queue.splice(0, batch.length);
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

  /** Writes the queue to the agent's state when it changed since the last save. */
  async save(): Promise<void> {
    if (this.#queue.length === 0 && this.#saved === 0) return;
    await this.#store.write(FILE, this.#queue);
    this.#saved = this.#queue.length;
  }
}
