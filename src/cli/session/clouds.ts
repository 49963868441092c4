/**
 * Cloud profiles (the seed's `az cloud`): a name → the service URL the CLI talks to, and an
 * optional CA certificate file to trust for it (the server's self-signed certificate by default).
 */
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { HostpassError } from "../../shared/errors.ts";
import { defaultServerDataDir, readState, writeState } from "./config-dir.ts";
import { invalidateFastPath } from "./fast-path.ts";

export interface CloudProfile {
  readonly name: string;
  readonly endpoint: string;
  /** PEM file with the certificate(s) to trust for `endpoint`. */
  readonly caFile?: string;
}

interface CloudState {
  readonly current: string;
  readonly clouds: readonly CloudProfile[];
}

export const DEFAULT_CLOUD: CloudProfile = { name: "local", endpoint: "https://127.0.0.1:8443" };
const FILE = "clouds.json";
/** Written by `hostpass server` in its data directory (server/start-server.ts). */
export const PUBLIC_URL_FILE = "public-url";
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class CloudError extends HostpassError {
  static readonly code = "ERR_CLOUD";
  readonly code = CloudError.code;
  readonly kind = "invalid";
}

export class CloudNotFoundError extends HostpassError {
  static readonly code = "ERR_CLOUD_NOT_FOUND";
  readonly code = CloudNotFoundError.code;
  readonly kind = "not_found";
}

/**
 * The built-in `local` cloud trusts the certificate a `hostpass server` on this machine generated
 * in its default data directory, and uses the public URL that server says it has there (with
 * `--local-machines` it is the machines' gateway, not 127.0.0.1: its issuer must match), so the
 * quickstart's server needs no `cloud register` from any profile of this machine.
 */
export function localCloud(dataDir = defaultServerDataDir()): CloudProfile {
  const caFile = join(dataDir, "tls", "server-cert.pem");
  const endpoint = serverPublicUrl(dataDir) ?? DEFAULT_CLOUD.endpoint;
  return existsSync(caFile) ? { ...DEFAULT_CLOUD, endpoint, caFile } : { ...DEFAULT_CLOUD, endpoint };
}

/** The `public-url` file a server writes in its data directory, when it is one https origin. */
function serverPublicUrl(dataDir: string): string | undefined {
  try {
    const url = new URL(readFileSync(join(dataDir, PUBLIC_URL_FILE), "utf8").trim());
    return url.protocol === "https:" && url.origin === url.href.replace(/\/$/, "") ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

async function load(dir: string): Promise<CloudState> {
  const state = await readState<CloudState>(dir, FILE, { current: DEFAULT_CLOUD.name, clouds: [] });
  const clouds = state.clouds.some((c) => c.name === DEFAULT_CLOUD.name)
    ? state.clouds
    : [localCloud(), ...state.clouds];
  return { current: state.current, clouds };
}

/** Every change of the profiles: `ssh vm`'s fast-path records made before are not used again. */
async function save(dir: string, state: CloudState): Promise<void> {
  await writeState(dir, FILE, state);
  await invalidateFastPath(dir);
}

/** https anywhere; plain http only to a loopback address (tests, local development). */
export function checkEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new CloudError(`${JSON.stringify(endpoint)} is not a URL`);
  }
  const loopback =
    ["127.0.0.1", "[::1]", "localhost"].includes(url.hostname) || url.hostname.startsWith("127.");
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new CloudError("the endpoint must use https (plain http only on a loopback address)");
  }
  if (url.username || url.password || url.search || url.hash)
    throw new CloudError("the endpoint must not carry credentials, a query or a fragment");
  return url.href.replace(/\/$/, "");
}

export async function listClouds(dir: string): Promise<(CloudProfile & { isActive: boolean })[]> {
  const state = await load(dir);
  return state.clouds.map((c) => ({ ...c, isActive: c.name === state.current }));
}

export async function showCloud(dir: string, name?: string): Promise<CloudProfile> {
  const state = await load(dir);
  const wanted = name ?? state.current;
  const cloud = state.clouds.find((c) => c.name === wanted);
  if (!cloud)
    throw new CloudNotFoundError(
      `cloud ${JSON.stringify(wanted)} is not registered (see \`hostpass cloud list\`)`,
    );
  return cloud;
}

export async function registerCloud(dir: string, profile: CloudProfile): Promise<CloudProfile> {
  if (!NAME.test(profile.name)) throw new CloudError("cloud names are 1-64 letters, digits, '.', '_' or '-'");
  const state = await load(dir);
  if (state.clouds.some((c) => c.name === profile.name))
    throw new CloudError(`cloud ${profile.name} is already registered`);
  if (profile.caFile)
    await readFile(profile.caFile, "utf8").catch((cause) => {
      throw new CloudError(`cannot read the CA file ${profile.caFile}`, { cause });
    });
  const cloud: CloudProfile = {
    name: profile.name,
    endpoint: checkEndpoint(profile.endpoint),
    ...(profile.caFile ? { caFile: profile.caFile } : {}),
  };
  await save(dir, { current: state.current, clouds: [...state.clouds, cloud] });
  return cloud;
}

export async function setCloud(dir: string, name: string): Promise<CloudProfile> {
  const state = await load(dir);
  const cloud = state.clouds.find((c) => c.name === name);
  if (!cloud)
    throw new CloudNotFoundError(
      `cloud ${JSON.stringify(name)} is not registered (see \`hostpass cloud list\`)`,
    );
  await save(dir, { current: name, clouds: state.clouds });
  return cloud;
}

export async function unregisterCloud(dir: string, name: string): Promise<void> {
  const state = await load(dir);
  if (name === DEFAULT_CLOUD.name) throw new CloudError("the built-in cloud `local` cannot be removed");
  if (name === state.current) throw new CloudError("switch to another cloud before removing the active one");
  if (!state.clouds.some((c) => c.name === name))
    throw new CloudNotFoundError(`cloud ${JSON.stringify(name)} is not registered`);
  await save(dir, {
    current: state.current,
    clouds: state.clouds.filter((c) => c.name !== name),
  });
}
