/**
 * `hostpass-agent join --server URL --code CODE`: makes the agent's own key pair (the private key
 * is the only secret on the host, 0600), registers its public half with the one-time join code as
 * the credential of the machine's managed identity, and keeps the service's URL and TLS trust.
 */
import { generateKeyPairSync } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ServiceError } from "../cli/session/errors.ts";
import { http } from "../cli/session/http.ts";
import type { StagedFile } from "../shared/atomic-write.ts";
import type { Clock } from "../shared/clock.ts";
import { parsePublicKey } from "../ssh/index.ts";
import { type AgentConfig, CONFIG_FILE, KEY_FILE, SERVER_CA_FILE } from "./agent-config.ts";
import { openAgentStore } from "./agent-store.ts";
import { AgentNotJoinedError, AgentStateError, JoinFailedError } from "./errors.ts";
import type { HostPaths } from "./host-paths.ts";
import { fetchPinnedCertificate } from "./lib/pinned-certificate.ts";
import { readManaged, stageManaged } from "./lib/safe-fs.ts";

export interface JoinOptions {
  readonly server: string;
  readonly code: string;
  /** PEM file of the CA to trust for the service (its self-signed certificate). */
  readonly caFile?: string;
  /** Or the SHA-256 fingerprint of the service's self-signed certificate, as `hostpass server` prints it. */
  readonly tlsFingerprint?: string;
  /** Replace an existing join (a new key; the old one stops working at the service). */
  readonly force?: boolean;
}

/** The host's sshd public host keys (for host certificates); keys that do not parse are left out. */
export async function readHostKeys(paths: HostPaths): Promise<string[]> {
  const names = await readdir(paths.sshDir).catch(() => [] as string[]);
  const keys: string[] = [];
  for (const name of names.filter((n) => /^ssh_host_\w+_key\.pub$/.test(n)).sort()) {
    const text = (await readManaged(paths.root, join(paths.sshDir, name)))?.toString("utf8").trim();
    if (!text) continue;
    try {
      parsePublicKey(text);
      keys.push(text.split(/\s+/).slice(0, 2).join(" "));
    } catch {
      // not a key hostpass certifies (e.g. DSA): no host certificate for it
    }
  }
  return keys;
}

function checkServerUrl(server: string): URL {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new JoinFailedError(`--server ${JSON.stringify(server)} is not a URL`);
  }
  if (url.protocol !== "https:" || url.username || url.password || url.search || url.hash) {
    throw new JoinFailedError(
      "--server must be the service's https:// URL (no credentials, query or fragment)",
    );
  }
  return url;
}

export async function joinService(
  paths: HostPaths,
  options: JoinOptions,
  clock: Clock,
): Promise<AgentConfig> {
  const server = checkServerUrl(options.server).origin;
  if (!/^[A-Za-z0-9._~-]{8,256}$/.test(options.code)) throw new JoinFailedError("--code is not a join code");
  const store = await openAgentStore(paths);
  if (!options.force && (await store.read(CONFIG_FILE))) {
    throw new AgentStateError("this host is already joined; use --force to join again with a new key");
  }
  if (options.caFile && options.tlsFingerprint)
    throw new JoinFailedError("give --ca-file or --tls-fingerprint, not both");
  let caPem: string | undefined;
  if (options.tlsFingerprint) {
    caPem = await fetchPinnedCertificate(new URL(server), options.tlsFingerprint);
  } else if (options.caFile) {
    caPem = await readFile(options.caFile, "utf8");
    if (!caPem.includes("-----BEGIN CERTIFICATE-----"))
      throw new JoinFailedError(`${options.caFile} is not a PEM certificate`);
  }
  const caPath = caPem === undefined ? undefined : join(store.dir, SERVER_CA_FILE);
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const { kty, crv, x } = publicKey.export({ format: "jwk" });
  // The new key (and CA) are staged beside the old ones, synced, and renamed over them only once
  // the service has accepted the key: a join that fails (a forced one too) leaves the host's
  // working key, CA and configuration as they were.
  const staged: StagedFile[] = [];
  let answer: JoinAnswer;
  try {
    const ca = caPath && caPem ? await stageManaged(paths.root, caPath, caPem, 0o644) : undefined;
    if (ca) staged.push(ca);
    const key = await stageManaged(
      paths.root,
      join(store.dir, KEY_FILE),
      privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      0o600,
    );
    staged.push(key);
    const res = await http(`${server}/agents/v1/join`, {
      method: "POST",
      json: { code: options.code, publicKey: { kty, crv, x }, hostKeys: await readHostKeys(paths) },
      ...(ca ? { caFile: ca.tempPath } : {}),
    });
    if (res.status < 200 || res.status >= 300) {
      const err = (res.body as { error?: { code?: string; message?: string } })?.error;
      // the seed's exit 22: the machine has no managed identity to hold the agent's credential
      if (err?.code === AgentNotJoinedError.code) throw new AgentNotJoinedError(err.message);
      // the service's own trouble (its store unavailable, …): kind `unavailable`, worth another code later
      if (res.status >= 500)
        throw new ServiceError(
          res.status,
          err?.code,
          `the service could not take the join: ${err?.message ?? `HTTP ${res.status}`}`,
        );
      throw new JoinFailedError(`the service refused the join: ${err?.message ?? `HTTP ${res.status}`}`);
    }
    answer = checkAnswer(server, res.body);
  } catch (error) {
    for (const file of staged) await file.discard();
    throw error;
  }
  for (const file of staged) await file.commit();
  const config: AgentConfig = {
    server,
    ...answer,
    joinedAt: clock(),
    pinnedCa: caPath !== undefined,
  };
  await store.write(CONFIG_FILE, config);
  return config;
}

type JoinAnswer = Pick<AgentConfig, "machineId" | "tenantId" | "clientId" | "tokenEndpoint">;

/** The service's answer to a join: where the agent gets its tokens, and as whom. */
function checkAnswer(server: string, body: unknown): JoinAnswer {
  const answer = (body ?? {}) as Record<string, unknown>;
  const field = (name: keyof JoinAnswer) => {
    const v = answer[name];
    if (typeof v !== "string" || !v || v.length > 1024)
      throw new JoinFailedError(`the service's answer has no ${name}`);
    return v;
  };
  const tokenEndpoint = field("tokenEndpoint");
  if (!URL.canParse(tokenEndpoint) || new URL(tokenEndpoint).origin !== server) {
    throw new JoinFailedError(
      "the service named a token endpoint on another origin; refusing to send it the agent's assertions",
    );
  }
  return {
    machineId: field("machineId"),
    tenantId: field("tenantId"),
    clientId: field("clientId"),
    tokenEndpoint,
  };
}
