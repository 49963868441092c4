/** Test double: `OidcStorage` in a Map, with the atomic semantics the interface requires. */
import type { OidcModelName, OidcPayload, OidcStorage } from "../../../src/auth/index.ts";

interface Entry {
  payload: Record<string, unknown>;
  expiresAt: number;
}

export class MemoryOidcStorage implements OidcStorage {
  readonly entries = new Map<string, Entry>();

  #key(model: OidcModelName, id: string): string {
    return `${model}\u0000${id}`;
  }

  #live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  async upsert(model: OidcModelName, id: string, payload: OidcPayload, expiresInSeconds: number) {
    this.entries.set(this.#key(model, id), {
      payload: structuredClone({ ...payload }),
      expiresAt: Date.now() + expiresInSeconds * 1000,
    });
  }

  async insertIfAbsent(model: OidcModelName, id: string, payload: OidcPayload, expiresInSeconds: number) {
    if (this.#live(this.#key(model, id)) !== undefined) return false;
    await this.upsert(model, id, payload, expiresInSeconds);
    return true;
  }

  async find(model: OidcModelName, id: string) {
    const entry = this.#live(this.#key(model, id));
    return entry === undefined ? undefined : structuredClone(entry.payload);
  }

  #findBy(model: OidcModelName, field: string, value: string) {
    for (const [key, entry] of this.entries) {
      if (key.startsWith(`${model}\u0000`) && entry.payload[field] === value && this.#live(key)) {
        return structuredClone(entry.payload);
      }
    }
    return undefined;
  }

  async findByUserCode(model: OidcModelName, userCode: string) {
    return this.#findBy(model, "userCode", userCode);
  }

  async findByUid(model: OidcModelName, uid: string) {
    return this.#findBy(model, "uid", uid);
  }

  async consume(model: OidcModelName, id: string) {
    const entry = this.#live(this.#key(model, id));
    if (entry === undefined || entry.payload.consumed !== undefined) return false;
    entry.payload.consumed = Math.floor(Date.now() / 1000);
    return true;
  }

  async destroy(model: OidcModelName, id: string) {
    this.entries.delete(this.#key(model, id));
  }

  async revokeByGrantId(model: OidcModelName, grantId: string) {
    for (const [key, entry] of this.entries) {
      if (key.startsWith(`${model}\u0000`) && entry.payload.grantId === grantId) this.entries.delete(key);
    }
  }

  count(model: OidcModelName): number {
    return [...this.entries.keys()].filter((key) => key.startsWith(`${model}\u0000`)).length;
  }
}
