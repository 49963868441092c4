import type { AddressInfo } from "node:net";
import { isIP } from "node:net";
import { join } from "node:path";
import type { AuthorizationServer } from "../auth/index.ts";
import { activeCaKey, buildHostKrl, type HostKrl, openCaSigner, signHostCertificates } from "../ca/index.ts";
import { createJoinCode } from "../directory/index.ts";
import { computerName, getMachine, ResourceNotFoundError, recordHeartbeat } from "../resources/index.ts";
import { writeFileAtomic } from "../shared/atomic-write.ts";
import { createBackgroundErrors } from "../shared/background-errors.ts";
import { type Clock, systemClock } from "../shared/clock.ts";
import { makeDirectory } from "../shared/make-directory.ts";
import { openStore, type Store, sqliteUrlForDataDir, startExpirySweep } from "../store/index.ts";
import type { ApiPrincipal } from "./auth/tokens.ts";
import { type BootstrapResult, bootstrap } from "./bootstrap.ts";
import { type App, buildServer } from "./build-server.ts";
import { ServerConfigError } from "./errors.ts";
import { createHostChannel } from "./host-channel.ts";
import { loadOrCreateKek } from "./keys/kek.ts";
import { isLoopback, parseListenAddress } from "./listen-address.ts";
import { type PublicUrl, parsePublicUrl } from "./public-url.ts";
import { grantCheck } from "./sign-in/grant-check.ts";
import { wireSignIn } from "./sign-in/wire-sign-in.ts";
import { loadOrCreateTls } from "./tls.ts";
import { wireSsh } from "./wire-certificates.ts";
import { type LocalMachines, type LocalMachinesOptions, wireLocalMachines } from "./wire-local-machines.ts";
import { wireServices } from "./wire-services.ts";

export interface StartServerOptions {
  readonly dataDir: string;
  /** A store URL (`sqlite:…`, `postgres://…`); default: SQLite in the data directory. */
  readonly database?: string;
  readonly listen: string;
  readonly insecureHttp?: boolean;
  readonly adminPassword?: string;
  readonly logLevel?: "silent" | "error" | "warn" | "info" | "debug";
  /** Where request logs go (never stdout: that is for what the operator must read). */
  readonly logStream?: NodeJS.WritableStream;
  /**
   * The URL clients reach this server at (`https://hostpass.example[:port]`): the issuer, DPoP
   * `htu`, WebAuthn relying party, device-code URI and the TLS certificate's names come from it
   * (public-url.ts). Default: the listening address; required when listening on a wildcard.
   */
  readonly publicUrl?: string;
  /**
   * Proxies whose `X-Forwarded-For` is believed (IPs or CIDRs): the client address in the sign-in
   * log and conditional access is then the one the proxy saw. Default: none.
   */
  readonly trustedProxies?: readonly string[];
  /**
   * The longest a user certificate lives (`hostpass server --certificate-lifetime`), 60 s to 24 h;
   * default 1 hour. Conditional access sign-in frequency can only shorten it.
   */
  readonly certificateLifetimeSeconds?: number;
  /**
   * `--issuance-workers N`: certificates are issued on N worker threads, each with its own store
   * connection, beside the main thread's HTTP and TLS (issuance-workers.ts). Default 0: in-process.
   */
  readonly issuanceWorkers?: number;
  /** For `HOSTPASS_KEK` (the key-encryption key); default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** The portal's clock (sessions, sign-in steps); tests pin it. Default: the system clock. */
  readonly clock?: Clock;
  /**
   * `--local-machines`: `vm create` starts machines on this host (root on Linux only); the public
   * URL then defaults to the machines' gateway (wire-local-machines.ts).
   */
  readonly localMachines?: LocalMachinesOptions;
}

export interface RunningServer {
  readonly app: App;
  /** Where it listens (`https://127.0.0.1:8443`). */
  readonly url: string;
  /** What clients use and the service names itself by (`--public-url`, default `url`). */
  readonly publicUrl: string;
  /** SHA-256 of the TLS certificate; undefined over plain HTTP. */
  readonly fingerprint: string | undefined;
  readonly tlsCreated: boolean;
  readonly bootstrap: BootstrapResult;
  /** The OAuth 2.0 / OIDC authorization server at `<url>/oauth2` (the CA verifies its tokens). */
  readonly authorizationServer: AuthorizationServer;
  /** The open store (one open per SQLite file per process: in-process callers use this one). */
  readonly store: Store;
  /** The local machine provider, with `localMachines`. */
  readonly localMachines: LocalMachines | undefined;
  close(): Promise<void>;
}

/**
 * `hostpass server`: data directory, store (migrated), bootstrap, keys, TLS, listen. Plain HTTP is
 * refused unless asked for and bound to loopback, because tokens travel in every request.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { host, port } = parseListenAddress(options.listen);
  const lifetime = options.certificateLifetimeSeconds;
  if (lifetime !== undefined && !(Number.isInteger(lifetime) && lifetime >= 60 && lifetime <= 86_400))
    throw new ServerConfigError("the certificate lifetime must be between 60 seconds and 24 hours");
  if (options.insecureHttp && !isLoopback(host)) {
    throw new ServerConfigError(
      "--insecure-http is only allowed on a loopback address (127.0.0.1, ::1, localhost)",
    );
  }
  const local =
    options.localMachines &&
    (await wireLocalMachines(options.dataDir, { preferredPort: port, ...options.localMachines }));
  const publicUrlText = options.publicUrl ?? local?.publicUrl;
  const configured = publicUrlText === undefined ? undefined : parsePublicUrl(publicUrlText);
  if (configured === undefined && (host === "0.0.0.0" || host === "::")) {
    throw new ServerConfigError(
      "listening on every address needs --public-url (the URL clients use, e.g. https://hostpass.example:8443)",
    );
  }
  if (options.insecureHttp && configured?.protocol === "https:") {
    throw new ServerConfigError(
      "--insecure-http serves http://, so --public-url must be an http:// loopback URL",
    );
  }
  const trustProxy = checkTrustedProxies(options.trustedProxies ?? []);
  await makeDirectory(options.dataDir, 0o700);
  try {
    return await startWith(options, { host, port, configured, trustProxy, local });
  } catch (error) {
    await local?.close();
    throw error;
  }
}

async function startWith(
  options: StartServerOptions,
  settings: {
    host: string;
    port: number;
    configured: PublicUrl | undefined;
    trustProxy: string[] | undefined;
    local: LocalMachines | undefined;
  },
): Promise<RunningServer> {
  const { host, port, configured, trustProxy, local } = settings;
  const kek = await loadOrCreateKek(options.dataDir, options.env);
  const store = await openStore({
    url: options.database ?? sqliteUrlForDataDir(options.dataDir),
    keyEncryptionKey: kek,
    // A PostgreSQL restarted after a bulk import may have no statistics yet: analyzed first.
    analyzeWithoutStatistics: true,
    // A pooled PostgreSQL connection lost (a restart): the pool opens a new one for the next request.
    onConnectionError: (error) => log("warn", "database connection lost", { err: error }),
  });
  // Late-bound to the server's logger once it listens (stderr before).
  let log: (level: "warn" | "error", message: string, details?: Record<string, unknown>) => void = (
    level,
    message,
    details,
  ) => console[level](`hostpass: ${message}`, details ?? "");
  const backgroundErrors = createBackgroundErrors({
    clock: systemClock,
    log: (source, error) => log("error", `background work failed (${source})`, { err: error }),
  });
  const wired = wireServices(store, { backgroundErrors });
  const checkGrant = grantCheck(store.oidc);
  const now = () => new Date(options.clock ? options.clock() : Date.now());
  // The host channel (issue 7): late-bound to what is known only once the server listens.
  let endpoint: { publicUrl: string; fingerprint?: string } = { publicUrl: "" };
  let krl: Promise<HostKrl> | undefined;
  const currentKrl = (fresh: boolean): Promise<HostKrl> => {
    if (fresh || krl === undefined) {
      const built = (async () =>
        buildHostKrl(
          await store.caKeys.list(),
          (caKeyId) => store.certificates.revocations(now(), caKeyId),
          now(),
        ))();
      built.catch(() => {
        if (krl === built) krl = undefined;
      });
      krl = built;
    }
    return krl;
  };
  const channel = createHostChannel({
    rbac: wired.rbac,
    directory: store.directory,
    resources: store.resources,
    caKeys: () => store.caKeys.list(),
    krl: currentKrl,
    // The host keys the agent registered, signed by the active host CA for the machine's names.
    hostCertificates: async (machineKey) => {
      const credential = await store.agents.findCredentialOfMachine(machineKey);
      if (!credential || credential.hostKeys.length === 0) return [];
      const machine = await getMachine(store.resources, credential.machineId);
      const host = activeCaKey(await store.caKeys.list(), "host");
      const addresses = machine.networkInterfaces.flatMap((n) => [n.privateIp, n.publicIp]);
      return signHostCertificates({
        signer: openCaSigner(host, kek),
        hostKeys: credential.hostKeys,
        principals: [computerName(machine), ...addresses.filter((a): a is string => a !== undefined)],
        keyId: `host:${machine.id}`,
        now: now(),
      });
    },
    log: (level, message, details) => log(level, message, details),
    // `vm show`'s agentStatus: ready while the machine's agent holds its stream.
    presence: (machineId, connected) =>
      recordHeartbeat(store.resources, {
        id: machineId,
        status: connected ? "ready" : "notReady",
        at: now(),
      }).catch((error) => {
        if (!(error instanceof ResourceNotFoundError)) throw error; // a machine deleted meanwhile
      }),
  });
  // Issuance keeps the system clock: the portal's pinned clock does not move token or proof times.
  const ssh = wireSsh(store, kek, wired.audit, {
    certificateLifetimeSeconds: options.certificateLifetimeSeconds,
    ...(options.issuanceWorkers
      ? {
          workers: {
            count: options.issuanceWorkers,
            storeUrl: options.database ?? sqliteUrlForDataDir(options.dataDir),
            log: (error: unknown) => backgroundErrors.record("issuanceWorker", error),
          },
        }
      : {}),
  });
  const services = {
    ...wired,
    ssh: ssh.services,
    hostAgents: {
      agents: store.agents,
      channel,
      krl: () => currentKrl(false),
      endpoint: () => endpoint,
      signInLog: store.signInLog,
      now,
    },
    ...(local ? { machineHost: local.machineHost } : {}),
    signInLog: store.signInLog,
    conditionalAccess: store.conditionalAccess,
    // A token outlives its sign-in: the grant must still be live, and the principal enabled.
    checkPrincipal: async (principal: ApiPrincipal) => {
      await checkGrant(principal);
      return wired.checkPrincipal(principal);
    },
  };
  try {
    // Replicas starting at once on a fresh database: one bootstraps, the others find its work.
    const boot = await store.exclusively("bootstrap", () =>
      bootstrap(store, services.rbac, { adminPassword: options.adminPassword }),
    );
    const names = configured === undefined ? [host] : [configured.hostname, host];
    const tls = options.insecureHttp ? undefined : await loadOrCreateTls(options.dataDir, names);
    const signIn = await wireSignIn({
      dataDir: options.dataDir,
      directory: store.directory,
      tenants: () => [boot.tenant.id],
      stores: store,
      https: (configured?.protocol ?? (tls ? "https:" : "http:")) === "https:",
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      audit: services.audit,
      agents: store.agents,
      federation: { providers: store.identityProviders, transaction: services.transaction },
      redirectUris: (tenantId, principalId) => store.federation.getRedirectUris(tenantId, principalId),
      backgroundErrors,
    });
    const logger = { level: options.logLevel ?? "warn", stream: options.logStream ?? process.stderr };
    const https = tls && { key: tls.key, cert: tls.cert };
    const mount = (app: App) => signIn.mount(app);
    const app = await buildServer({ services, trust: signIn.trust, mount, logger, https, trustProxy });
    await app.listen({ host, port });
    const address = app.server.address() as AddressInfo;
    const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
    const url = `${tls ? "https" : "http"}://${shownHost}:${address.port}`;
    const publicUrl: PublicUrl = configured ?? parsePublicUrl(url);
    endpoint = { publicUrl: publicUrl.origin, ...(tls ? { fingerprint: tls.fingerprint } : {}) };
    // For the CLI's built-in `local` cloud on this machine (cli/session/clouds.ts): the URL to use.
    await writeFileAtomic(join(options.dataDir, "public-url"), `${publicUrl.origin}\n`, 0o644);
    log = (level, message, details) => app.log[level](details ?? {}, message);
    // Each local machine's agent joins with a code the service makes for it here (no shared secret)
    // and pins the service's self-signed certificate.
    local?.listening(
      { host: address.address, port: address.port },
      {
        tlsFingerprint: tls?.fingerprint,
        joinFailed: (machineId, error, willRetry) =>
          log(willRetry ? "warn" : "error", "a local machine's agent did not join", {
            machineId,
            willRetry,
            exitCode: error.exitCode,
            agentOutput: error.output,
          }),
        joinCode: async (machineId) => {
          const machine = await getMachine(store.resources, machineId);
          const made = await createJoinCode(store.agents, {
            tenantId: machine.tenantId,
            machineId: machine.id,
            now: now(),
          });
          return made.code;
        },
      },
    );
    const authorizationServer = await signIn.start(publicUrl);
    await ssh.start(publicUrl.origin, authorizationServer);
    const stopSweep = startExpirySweep(store, {
      ...(options.clock === undefined ? {} : { now: options.clock }),
      onError: (error) => backgroundErrors.record("expirySweep", error),
    });
    if (local) {
      for (const failure of await local.resume(store.resources))
        app.log.error(failure, "a local machine did not resume");
    }
    const close = async () => {
      await local?.close(); // the machines keep running; the next start adopts them
      channel.close(); // ends the agents' streams (they reconnect to the next start)
      await app.close(); // stops accepting, lets in-flight requests finish
      await ssh.close();
      stopSweep();
      await services.close();
      await store.close();
    };
    return {
      app,
      url,
      publicUrl: publicUrl.origin,
      fingerprint: tls?.fingerprint,
      tlsCreated: tls?.created ?? false,
      bootstrap: boot,
      authorizationServer,
      store,
      localMachines: local,
      close,
    };
  } catch (error) {
    channel.close();
    await services.close();
    await store.close();
    throw error;
  }
}

/** IPs or CIDRs (`10.0.0.0/8`, `::1`); anything else is refused before Fastify sees it. */
function checkTrustedProxies(proxies: readonly string[]): string[] | undefined {
  for (const p of proxies) {
    const [address = "", prefix, extra] = p.split("/");
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || extra !== undefined || !prefixOk) {
      throw new ServerConfigError(`--trusted-proxy must be an IP address or CIDR, not '${p.slice(0, 100)}'`);
    }
  }
  return proxies.length === 0 ? undefined : [...proxies];
}
