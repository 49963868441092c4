/**
 * The three host files the agent edits rather than owns: nsswitch.conf (the extrausers source),
 * PAM's sshd stack (pam_mkhomedir) and sshd_config (an Include of the drop-in, only when the
 * host's config does not already include it). Each edit is idempotent and touches only the lines
 * it needs; the original bytes are kept in the agent's state so disabling restores them exactly.
 */
import type { HostPaths } from "./host-paths.ts";

export const NSS_SOURCE = "extrausers";
const NSS_DATABASES = ["passwd", "group", "shadow"] as const;
const MARK = "# hostpass-agent";

function splitLines(text: string): { lines: string[]; trailingNewline: boolean } {
  const trailingNewline = text.endsWith("\n");
  const lines = (trailingNewline ? text.slice(0, -1) : text).split("\n");
  return { lines: text === "" ? [] : lines, trailingNewline };
}

function joinLines(lines: readonly string[]): string {
  return lines.length ? `${lines.join("\n")}\n` : "";
}

/**
 * Adds `extrausers` to the passwd, group and shadow lines, right after `files` (local accounts
 * are always looked up first, and before any `[NOTFOUND=return]` action that would hide it).
 */
export function addNssSource(text: string): string {
  const { lines } = splitLines(text);
  const seen = new Set<string>();
  const out = lines.map((line) => {
    const m = /^(\s*)(passwd|group|shadow)(\s*:\s*)(.*)$/.exec(line);
    if (!m) return line;
    const [, indent, db, sep, rest] = m as unknown as [string, string, string, string, string];
    seen.add(db);
    const comment = rest.indexOf("#");
    const sources = (comment === -1 ? rest : rest.slice(0, comment)).trim();
    const tail = comment === -1 ? "" : ` ${rest.slice(comment)}`;
    const tokens = sources.split(/\s+/).filter(Boolean);
    if (tokens.includes(NSS_SOURCE)) return line;
    const at = tokens.findIndex((t) => t === "files" || t === "compat");
    if (at === -1) tokens.push(NSS_SOURCE);
    else tokens.splice(at + 1, 0, NSS_SOURCE);
    return `${indent}${db}${sep}${tokens.join(" ")}${tail}`;
  });
  for (const db of NSS_DATABASES) if (!seen.has(db)) out.push(`${db}: files ${NSS_SOURCE}`);
  return joinLines(out);
}

export function hasNssSource(text: string): boolean {
  return NSS_DATABASES.every((db) =>
    text.split("\n").some((l) => new RegExp(`^\\s*${db}\\s*:[^#]*\\b${NSS_SOURCE}\\b`).test(l)),
  );
}

export function mkhomedirLine(paths: HostPaths): string {
  return `session    optional     pam_mkhomedir.so skel=${paths.skel} umask=0077 ${MARK}`;
}

/**
 * Adds pam_mkhomedir to sshd's session stack, before `@include common-session` (or at the end).
 * Optional on purpose: a failure to make a home must not lock out the break-glass local admin,
 * whose sessions run through the same stack.
 */
export function addMkhomedir(text: string, paths: HostPaths): string {
  const { lines } = splitLines(text);
  if (lines.some((l) => /^\s*session\s+\S+\s+pam_mkhomedir\.so\b/.test(l))) return text;
  const at = lines.findIndex((l) => /^\s*@include\s+common-session\s*$/.test(l));
  if (at === -1) lines.push(mkhomedirLine(paths));
  else lines.splice(at, 0, mkhomedirLine(paths));
  return joinLines(lines);
}

/** Whether an `Include` line of the main sshd_config names the drop-in (exactly or by a glob). */
export function includesDropIn(text: string, paths: HostPaths): boolean {
  for (const line of text.split("\n")) {
    const m = /^\s*include\s+(.*)$/i.exec(line);
    if (!m) continue;
    for (const pattern of (m[1] as string).split(/\s+/).filter(Boolean)) {
      if (globMatches(pattern, paths.sshdDropIn, paths.sshDir)) return true;
    }
  }
  return false;
}

function globMatches(pattern: string, path: string, sshDir: string): boolean {
  const absolute = pattern.startsWith("/") ? pattern : `${sshDir}/${pattern}`; // relative = under /etc/ssh
  const re = new RegExp(
    `^${absolute
      .replace(/[.+^${}()|\\]/g, "\\$&")
      .replace(/\*/g, "[^/]*")
      .replace(/\?/g, "[^/]")}$`,
  );
  return re.test(path);
}

/** Puts an Include of the drop-in first in sshd_config when the host's config lacks one. */
export function addSshdInclude(text: string, paths: HostPaths): string {
  if (includesDropIn(text, paths)) return text;
  return `${MARK}: directory login settings\nInclude ${paths.sshdDropIn}\n${text}`;
}

/** Removes the agent's Include (and its comment) from sshd_config, leaving every other line. */
export function removeSshdInclude(text: string, paths: HostPaths): string {
  const { lines } = splitLines(text);
  const ours = new Set([`${MARK}: directory login settings`, `Include ${paths.sshdDropIn}`]);
  return joinLines(lines.filter((l) => !ours.has(l)));
}

/** Removes `extrausers` from the passwd, group and shadow lines (and the lines the agent added). */
export function removeNssSource(text: string): string {
  const { lines } = splitLines(text);
  const out: string[] = [];
  for (const line of lines) {
    if (NSS_DATABASES.some((db) => line === `${db}: files ${NSS_SOURCE}`)) continue;
    const m = /^(\s*)(passwd|group|shadow)(\s*:\s*)(.*)$/.exec(line);
    out.push(m ? line.replace(new RegExp(` ${NSS_SOURCE}\\b`), "") : line);
  }
  return joinLines(out);
}

/** Removes the agent's pam_mkhomedir line. */
export function removeMkhomedir(text: string): string {
  const { lines } = splitLines(text);
  return joinLines(lines.filter((l) => !(l.includes("pam_mkhomedir.so") && l.endsWith(MARK))));
}
