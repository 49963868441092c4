/**
 * The storage the resource tree needs; `store/` implements it. Keys are canonical ids in lower
 * case (`ResourceId.key`), so lookups are case-insensitive like Azure.
 */
import type { ResourceKind } from "./resource-id.ts";
import type { Extension, MachineProfile, NetworkInterface, Page, PageRequest, Resource } from "./types.ts";

export interface ResourceRepository {
  /** Runs `work` in one transaction (inside one already, just calls it). */
  transaction<T>(work: (repo: ResourceRepository) => Promise<T>): Promise<T>;

  /** Fails with ResourceConflictError when the key exists. */
  insertResource(resource: Resource): Promise<void>;
  getResource(key: string): Promise<Resource | undefined>;
  /** Children of `parentKey`, optionally of one kind, ordered by key. */
  listChildren(parentKey: string, kind: ResourceKind | undefined, page: PageRequest): Promise<Page<Resource>>;
  countChildren(parentKey: string): Promise<number>;
  /**
   * The resource at `key` and all its ancestors through the stored parents, nearest first
   * (itself, ..., the tenant root group), in one round trip; empty when `key` is not stored.
   */
  listAncestors(key: string): Promise<readonly Resource[]>;
  listByKind(tenantId: string, kind: ResourceKind, page: PageRequest): Promise<Page<Resource>>;
  setParent(key: string, parentKey: string, now: Date): Promise<boolean>;
  /** Deletes the node and its machine rows; fails (conflict) while it has children. */
  deleteResource(key: string): Promise<boolean>;

  insertMachine(key: string, profile: MachineProfile): Promise<void>;
  getMachineProfile(key: string): Promise<MachineProfile | undefined>;
  updateMachineProfile(key: string, patch: Partial<MachineProfile>): Promise<boolean>;
  replaceNetworkInterfaces(key: string, nics: readonly NetworkInterface[]): Promise<void>;
  listNetworkInterfaces(key: string): Promise<readonly NetworkInterface[]>;
  /** Keys of machines with a NIC whose private or public address is `ip`. */
  findMachinesByIp(ip: string): Promise<readonly string[]>;
  putExtension(key: string, extension: Extension): Promise<void>;
  listExtensions(key: string): Promise<readonly Extension[]>;
  deleteExtension(key: string, name: string): Promise<boolean>;
}
