/**
 * Walks the whole activity log and checks every link. It reports, by seq:
 *
 * - `edited`: the row's content no longer matches its own hash;
 * - `missing`: seq numbers are skipped (rows deleted);
 * - `reordered`: the row is intact but follows the wrong neighbour (its predecessor hash
 *   belongs to another row nearby);
 * - `broken_link`: the row is intact but its predecessor hash matches no row seen (the row
 *   before it was rewritten, hash included, or rows were deleted and renumbered);
 * - `head_mismatch`: the last row is not the recorded head, or the head's seal does not verify
 *   (rows removed from the end and the head moved back, or rows added around the append path);
 * - `checkpoint_missing`: the event an operator recorded earlier (`expect`) is not in the log
 *   with that hash (the log was cut back or replaced before it).
 *
 * Every hash is an HMAC under the chain key (chain-key.ts): without the key-encryption key nobody
 * can write a row, or a head, that verifies. What the key cannot show is a log emptied back to its
 * unsealed start; an operator's recorded checkpoint (`expect`) shows that too.
 */
import { chainHash, GENESIS_HASH, headSeal } from "./chain-hash.ts";
import { chainKeyOf } from "./lib/prepare-event.ts";
import type { AuditRepository } from "./repository.ts";
import type { AuditEvent } from "./types.ts";

export type AuditProblemKind =
  | "edited"
  | "missing"
  | "reordered"
  | "broken_link"
  | "head_mismatch"
  | "checkpoint_missing";

export interface AuditProblem {
  readonly seq: number;
  readonly problem: AuditProblemKind;
  readonly message: string;
}

export interface AuditVerification {
  readonly ok: boolean;
  /** Rows examined. */
  readonly checked: number;
  readonly headSeq: number;
  /** The head's hash: record it (with headSeq) to check later that the log was not cut back. */
  readonly headHash: string;
  /** At most `maxProblems`, in seq order. */
  readonly problems: readonly AuditProblem[];
}

export interface VerifyAuditChainOptions {
  readonly pageSize?: number;
  readonly maxProblems?: number;
  /** A head recorded by an earlier verification: that event must still be in the log, unchanged. */
  readonly expect?: { readonly seq: number; readonly hash: string };
}

export async function verifyAuditChain(
  repo: AuditRepository,
  options: VerifyAuditChainOptions = {},
): Promise<AuditVerification> {
  const key = chainKeyOf(repo);
  const pageSize = options.pageSize ?? 1000;
  const maxProblems = options.maxProblems ?? 100;
  let checkpointSeen = false;
  // Read the head first: rows appended while we scan come after it and are not judged.
  const head = await repo.getHead();
  const problems: AuditProblem[] = [];
  const report = (seq: number, problem: AuditProblemKind, message: string) => {
    if (problems.length < maxProblems) problems.push({ seq, problem, message });
  };
  let previous: AuditEvent | undefined;
  let checked = 0;
  let window: readonly AuditEvent[] = [];
  for (let after = 0; after < head.seq; ) {
    const page = (await repo.scan(after, pageSize)).filter((e) => e.seq <= head.seq);
    if (page.length === 0) break;
    // Hashes of the previous and current page, to tell a moved row from a rewritten one.
    const nearby = new Set([...window, ...page].map((e) => e.hash));
    for (const event of page) {
      checked++;
      const expectedSeq = (previous?.seq ?? 0) + 1;
      const expectedPrev = previous?.hash ?? GENESIS_HASH;
      if (options.expect?.seq === event.seq) checkpointSeen = event.hash === options.expect.hash;
      if (chainHash(key, event.prevHash, event) !== event.hash) {
        report(event.seq, "edited", `event ${event.seq} does not match its hash: it was edited`);
      } else if (event.seq !== expectedSeq) {
        const gap = expectedSeq === event.seq - 1 ? `${expectedSeq}` : `${expectedSeq}-${event.seq - 1}`;
        report(event.seq, "missing", `events ${gap} are missing before event ${event.seq}`);
      } else if (event.prevHash !== expectedPrev) {
        if (nearby.has(event.prevHash)) {
          report(event.seq, "reordered", `event ${event.seq} is out of order: it follows another event`);
        } else {
          report(event.seq, "broken_link", `event ${event.seq} does not follow event ${expectedSeq - 1}`);
        }
      }
      previous = event;
    }
    window = page;
    after = page[page.length - 1]?.seq ?? head.seq;
  }
  if ((previous?.seq ?? 0) !== head.seq || (previous?.hash ?? GENESIS_HASH) !== head.hash) {
    report(
      head.seq,
      "head_mismatch",
      `the log ends at event ${previous?.seq ?? 0} but the head is event ${head.seq}`,
    );
  } else if (head.seq > 0 && head.seal !== headSeal(key, head)) {
    report(head.seq, "head_mismatch", `the head's seal does not verify: the end of the log was rewritten`);
  }
  if (options.expect !== undefined && !checkpointSeen) {
    report(
      options.expect.seq,
      "checkpoint_missing",
      `event ${options.expect.seq} with the recorded hash is not in the log: it was cut back or replaced`,
    );
  }
  return { ok: problems.length === 0, checked, headSeq: head.seq, headHash: head.hash, problems };
}
