/**
 * RFC 4251 §5 data types: byte, uint32, uint64, string, mpint, name-list.
 * The reader is strict (no reads past the end, no negative or padded mpints, no NUL in text);
 * every failure is an `SshFormatError`, so callers never see a RangeError from hostile bytes.
 */
import { SshFormatError } from "../errors.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

/** Longest length field we believe; anything larger is hostile in our formats. */
const MAX_FIELD = 1 << 24;

export class SshReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.#bytes.byteLength - this.#offset;
  }

  #need(n: number, what: string): void {
    if (n > this.remaining) throw new SshFormatError(`truncated ${what}`);
  }

  byte(what = "byte"): number {
    this.#need(1, what);
    return this.#view.getUint8(this.#offset++);
  }

  uint32(what = "uint32"): number {
    this.#need(4, what);
    const v = this.#view.getUint32(this.#offset);
    this.#offset += 4;
    return v;
  }

  uint64(what = "uint64"): bigint {
    this.#need(8, what);
    const v = this.#view.getBigUint64(this.#offset);
    this.#offset += 8;
    return v;
  }

  raw(n: number, what = "bytes"): Uint8Array {
    this.#need(n, what);
    const out = this.#bytes.subarray(this.#offset, this.#offset + n);
    this.#offset += n;
    return out;
  }

  /** A length-prefixed byte string (a view into the input, not a copy). */
  string(what = "string"): Uint8Array {
    const len = this.uint32(`${what} length`);
    if (len > MAX_FIELD) throw new SshFormatError(`${what} length ${len} is too large`);
    return this.raw(len, what);
  }

  /** A length-prefixed UTF-8 text with no NUL (OpenSSH's cstring rule). */
  text(what = "text"): string {
    const bytes = this.string(what);
    if (bytes.includes(0)) throw new SshFormatError(`${what} contains a NUL byte`);
    try {
      return utf8.decode(bytes);
    } catch (cause) {
      throw new SshFormatError(`${what} is not valid UTF-8`, { cause });
    }
  }

  /** A non-negative mpint, returned as its minimal unsigned big-endian bytes. */
  mpintBytes(what = "mpint"): Uint8Array {
    const b = this.string(what);
    if (b.length === 0) return b;
    if ((b[0] as number) & 0x80) throw new SshFormatError(`${what} is negative`);
    if (b[0] === 0) {
      if (b.length === 1 || !((b[1] as number) & 0x80))
        throw new SshFormatError(`${what} has a needless leading zero`);
      return b.subarray(1);
    }
    return b;
  }

  /** Reads a whole nested structure from a string field and insists it is fully consumed. */
  nested<T>(what: string, read: (r: SshReader) => T): T {
    const inner = new SshReader(this.string(what));
    const value = read(inner);
    inner.end(what);
    return value;
  }

  /** Fails if anything is left: trailing bytes are never ignored. */
  end(what = "data"): void {
    if (this.remaining !== 0) throw new SshFormatError(`${this.remaining} trailing byte(s) after ${what}`);
  }
}

/** Builds wire data in one growing buffer (certificate issuance is a hot path). */
export class SshWriter {
  #buf: Uint8Array;
  #view: DataView;
  #length = 0;

  constructor(initialCapacity = 128) {
    this.#buf = new Uint8Array(initialCapacity);
    this.#view = new DataView(this.#buf.buffer);
  }

  get length(): number {
    return this.#length;
  }

  #reserve(n: number): number {
    const at = this.#length;
    if (at + n > this.#buf.length) {
      const grown = new Uint8Array(Math.max(this.#buf.length * 2, at + n));
      grown.set(this.#buf.subarray(0, at));
      this.#buf = grown;
      this.#view = new DataView(grown.buffer);
    }
    this.#length = at + n;
    return at;
  }

  raw(bytes: Uint8Array): this {
    const at = this.#reserve(bytes.byteLength);
    this.#buf.set(bytes, at);
    return this;
  }

  byte(v: number): this {
    const at = this.#reserve(1);
    this.#buf[at] = v;
    return this;
  }

  uint32(v: number): this {
    const at = this.#reserve(4);
    this.#view.setUint32(at, v);
    return this;
  }

  uint64(v: bigint): this {
    if (v < 0n || v > 0xffff_ffff_ffff_ffffn) throw new TypeError("uint64 out of range");
    const at = this.#reserve(8);
    this.#view.setBigUint64(at, v);
    return this;
  }

  string(bytes: Uint8Array): this {
    return this.uint32(bytes.byteLength).raw(bytes);
  }

  /** A length-prefixed field whose content `write` produces in place (no intermediate buffer). */
  nested(write: (w: this) => void): this {
    const at = this.#reserve(4);
    write(this);
    this.#view.setUint32(at, this.#length - at - 4);
    return this;
  }

  /** A length-prefixed UTF-8 string, encoded straight into the buffer. */
  text(s: string): this {
    const max = s.length * 3;
    const at = this.#reserve(4 + max);
    const { written } = utf8Encoder.encodeInto(s, this.#buf.subarray(at + 4, at + 4 + max));
    this.#view.setUint32(at, written);
    this.#length = at + 4 + written;
    return this;
  }

  /** Writes unsigned big-endian bytes as an mpint (minimal, with a sign byte when needed). */
  mpintBytes(unsigned: Uint8Array): this {
    let start = 0;
    while (start < unsigned.length && unsigned[start] === 0) start++;
    const body = unsigned.subarray(start);
    const pad = body.length > 0 && (body[0] as number) & 0x80 ? 1 : 0;
    this.uint32(body.length + pad);
    if (pad) this.byte(0);
    return this.raw(body);
  }

  /** The bytes written so far (a view; later writes never change it). */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#length);
  }
}

export function encodeText(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/** Strict standard base64 (what authorized_keys uses): only canonical encodings decode. */
export function decodeBase64Strict(text: string, what: string): Uint8Array {
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    throw new SshFormatError(`${what} is not valid base64`);
  }
  const bytes = Buffer.from(text, "base64");
  if (bytes.toString("base64") !== text) throw new SshFormatError(`${what} is not canonical base64`);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

export function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
}

export function fromBase64url(s: string): Uint8Array {
  const b = Buffer.from(s, "base64url");
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
