/**
 * Writes the agent's files and remembers, before the first change to each, what the host had
 * there (bytes, mode, owner), so disabling can put it back exactly. Unchanged content is not
 * rewritten, so applying the same state twice touches nothing.
 */
import { createHash } from "node:crypto";
import { lstat } from "node:fs/promises";
import type { HostRecord, OriginalFile } from "./agent-store.ts";
import { type Owner, readManaged, removeManaged, stageManaged, writeManaged } from "./lib/safe-fs.ts";

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

export class HostFiles {
  readonly root: string;
  readonly changed: string[] = [];
  #record: HostRecord;

  constructor(root: string, record: HostRecord) {
    this.root = root;
    this.#record = record;
  }

  get record(): HostRecord {
    return this.#record;
  }

  update(change: Partial<HostRecord>): void {
    this.#record = Object.freeze({ ...this.#record, ...change });
  }

  read(path: string): Promise<Buffer | undefined> {
    return readManaged(this.root, path);
  }

  /** Keeps the host's version of `path` (once: the first time the agent is about to change it). */
  async remember(path: string): Promise<OriginalFile> {
    const known = this.#record.originals[path];
    if (known) return known;
    const bytes = await this.read(path);
    let original: OriginalFile = { existed: false };
    if (bytes) {
      const st = await lstat(path);
      original = {
        existed: true,
        content: bytes.toString("base64"),
        mode: st.mode & 0o7777,
        uid: st.uid,
        gid: st.gid,
      };
    }
    this.update({ originals: { ...this.#record.originals, [path]: original } });
    return original;
  }

  /** Writes `content` when it differs from what is there; `check` sees the staged temp file first. */
  async write(
    path: string,
    content: string | Uint8Array,
    mode: number,
    options: { owner?: Owner; check?: (tempPath: string) => Promise<void> } = {},
  ): Promise<boolean> {
    const current = await this.read(path);
    const next = typeof content === "string" ? Buffer.from(content) : Buffer.from(content);
    if (current?.equals(next) && (await this.#modeIs(path, mode, options.owner))) return false;
    if (options.check) {
      const staged = await stageManaged(this.root, path, next, mode, options.owner);
      try {
        await options.check(staged.tempPath);
        await staged.commit();
      } catch (error) {
        await staged.discard();
        throw error;
      }
    } else {
      await writeManaged(this.root, path, next, mode, options.owner);
    }
    this.update({ written: { ...this.#record.written, [path]: sha256Hex(next) } });
    this.changed.push(path);
    return true;
  }

  async remove(path: string): Promise<boolean> {
    const removed = await removeManaged(this.root, path);
    if (removed) this.changed.push(path);
    return removed;
  }

  /** Puts back the host's own version of `path` (or removes the file when the host had none). */
  async restore(path: string): Promise<void> {
    const original = this.#record.originals[path];
    if (!original) return;
    if (!original.existed) {
      await this.remove(path);
    } else {
      const owner = { uid: original.uid ?? 0, gid: original.gid ?? 0 };
      await this.write(path, Buffer.from(original.content ?? "", "base64"), original.mode ?? 0o644, {
        owner,
      });
    }
  }

  /** Whether the file still holds what the agent last wrote (nobody edited it since). */
  async unchangedSinceWritten(path: string): Promise<boolean> {
    const bytes = await this.read(path);
    return bytes !== undefined && this.#record.written[path] === sha256Hex(bytes);
  }

  async #modeIs(path: string, mode: number, owner?: Owner): Promise<boolean> {
    const st = await lstat(path);
    return (st.mode & 0o7777) === mode && st.uid === (owner?.uid ?? 0) && st.gid === (owner?.gid ?? 0);
  }
}
