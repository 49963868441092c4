/**
 * Another process writing the same store: what a second server on the same SQLite file or
 * PostgreSQL database is to this one. It runs second-writer-child.ts with its own connection;
 * `send` resolves once the change committed there.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { WriterCommand } from "./second-writer-child.ts";

export interface SecondWriter {
  send(command: WriterCommand): Promise<unknown>;
  close(): Promise<void>;
}

export async function startSecondWriter(url: string): Promise<SecondWriter> {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [join(import.meta.dirname, "second-writer-child.ts"), url],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<{ ok?: boolean; ready?: boolean; value?: unknown; error?: string }> => {
    const r = await lines.next();
    if (r.done) throw new Error(`the second writer ended: ${stderr}`);
    return JSON.parse(r.value);
  };
  if (!(await next()).ready) throw new Error(`the second writer did not start: ${stderr}`);
  let queue: Promise<unknown> = Promise.resolve();
  return {
    send(command) {
      const go = async () => {
        child.stdin.write(`${JSON.stringify(command)}\n`);
        const reply = await next();
        if (!reply.ok) throw new Error(`second writer: ${reply.error}`);
        return reply.value;
      };
      const p = queue.then(go, go);
      queue = p.catch(() => undefined);
      return p;
    },
    async close() {
      child.stdin.end();
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) resolve();
        else child.once("exit", () => resolve());
      });
    },
  };
}
