import assert from "node:assert/strict";
import { appendFile, mkdtemp, readFile, rename, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileLogSource, journalLogSource, parseJournalRecord, parseLogFileLine } from "./log-sources.ts";
import type { LogLine } from "./sshd-log.ts";

const clock = () => 1_700_000_000_000;

describe("sshd log sources", () => {
  it("reads syslog lines of sshd (pid, time), skips other programs, takes sshd -E lines as they are", () => {
    assert.deepEqual(
      parseLogFileLine(
        "2026-11-30T05:12:00.123456+00:00 vm1 sshd[4242]: Invalid user x from 1.2.3.4 port 5",
        clock,
      ),
      {
        message: "Invalid user x from 1.2.3.4 port 5",
        pid: 4242,
        at: Date.parse("2026-11-30T05:12:00.123456+00:00"),
      },
    );
    assert.deepEqual(parseLogFileLine("Nov 30 05:12:00 vm1 sshd-session[7]: Accepted x", clock), {
      message: "Accepted x",
      pid: 7,
      at: clock(),
    });
    assert.equal(
      parseLogFileLine("2026-11-30T05:12:00+00:00 vm1 sudo[1]: pam_unix(sudo:session)", clock),
      undefined,
    );
    assert.deepEqual(parseLogFileLine("Connection from 1.2.3.4 port 5 on 6.7.8.9 port 22", clock), {
      message: "Connection from 1.2.3.4 port 5 on 6.7.8.9 port 22",
      at: clock(),
    });
  });

  it("reads journald records, also a MESSAGE journald stored as bytes", () => {
    const r = parseJournalRecord(
      JSON.stringify({ MESSAGE: "Accepted x", _PID: "12", __REALTIME_TIMESTAMP: "1700000000123456" }),
      clock,
    );
    assert.deepEqual(r, { message: "Accepted x", pid: 12, at: 1_700_000_000_123 });
    const bytes = parseJournalRecord(
      JSON.stringify({ MESSAGE: [...Buffer.from("Invalid user \u00e9")], _PID: "3" }),
      clock,
    );
    assert.equal(bytes?.message, "Invalid user \u00e9");
    assert.equal(parseJournalRecord("{not json", clock), undefined);
  });

  it("follows a file across appends, rotation and truncation, from its end at start", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hostpass-logsource-"));
    const path = join(dir, "auth.log");
    const seen: string[] = [];
    await writeFile(path, "old line before the agent\n");
    const source = fileLogSource(path, clock, 20);
    source.start((l: LogLine) => seen.push(l.message));
    const wait = async (n: number) => {
      for (let i = 0; i < 200 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    };
    try {
      await new Promise((r) => setTimeout(r, 60));
      await appendFile(path, "one\ntw");
      await wait(1);
      await appendFile(path, "o\n");
      await wait(2);
      await rename(path, `${path}.1`);
      await appendFile(`${path}.1`, "three (written to the rotated file)\n");
      await writeFile(path, "four\n");
      await wait(4);
      await truncate(path, 0); // (a truncation is seen when a poll finds the file shorter, as with tail -F)
      await new Promise((r) => setTimeout(r, 60));
      await appendFile(path, "five\n");
      await wait(5);
      assert.deepEqual(seen, ["one", "two", "three (written to the rotated file)", "four", "five"]);
    } finally {
      await source.stop();
      await rm(dir, { recursive: true });
    }
  });

  it("resumes where a stopped agent left off: lines logged while it was down are read, none twice", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hostpass-logsource-"));
    const path = join(dir, "sshd.log");
    await writeFile(path, "before\n");
    const read = async (from: string | undefined, settle = 120) => {
      const seen: string[] = [];
      const source = fileLogSource(path, clock, 20);
      source.start((l: LogLine) => seen.push(l.message), from);
      await new Promise((r) => setTimeout(r, settle));
      const position = source.position();
      await source.stop();
      return { seen, position };
    };
    try {
      const first = await read(undefined);
      assert.deepEqual(first.seen, []);
      await appendFile(path, "while down 1\nwhile down 2\npart");
      const second = await read(first.position);
      assert.deepEqual(second.seen, ["while down 1", "while down 2"]);
      await appendFile(path, "ial line\n");
      const third = await read(second.position);
      assert.deepEqual(third.seen, ["partial line"]);
      await rm(path);
      await writeFile(path, "rotated while down\n");
      assert.deepEqual((await read(third.position)).seen, ["rotated while down"]);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it("journald: follows sshd's records, resumes after the saved cursor (a stand-in journalctl: this machine runs no journald)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hostpass-journal-"));
    const fake = join(dir, "journalctl");
    const args = join(dir, "args");
    const records = [
      {
        MESSAGE: "Invalid user x from 10.0.0.9 port 7",
        _PID: "41",
        __REALTIME_TIMESTAMP: "1700000000000000",
        __CURSOR: "s=1;i=a",
      },
      {
        MESSAGE: "Connection closed by invalid user x 10.0.0.9 port 7 [preauth]",
        _PID: "41",
        __CURSOR: "s=1;i=b",
      },
    ];
    await writeFile(
      fake,
      `#!/bin/sh\necho "$@" >> ${args}\ncat <<'EOF'\n${records.map((r) => JSON.stringify(r)).join("\n")}\nEOF\nexec sleep 30\n`,
      { mode: 0o755 },
    );
    try {
      const seen: LogLine[] = [];
      const source = journalLogSource(clock, fake);
      source.start((l) => seen.push(l));
      for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      await source.stop();
      assert.deepEqual(seen[0], { message: records[0]?.MESSAGE, pid: 41, at: 1_700_000_000_000 });
      assert.equal(source.position(), "s=1;i=b");
      const again = journalLogSource(clock, fake);
      again.start(() => undefined, source.position());
      await new Promise((r) => setTimeout(r, 100));
      await again.stop();
      const calls = (await readFile(args, "utf8")).trim().split("\n");
      assert.match(calls[0] ?? "", /--follow --output=json --lines=0 -t sshd -t sshd-session/);
      assert.match(calls[1] ?? "", /--after-cursor=s=1;i=b /);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
