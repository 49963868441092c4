import { mkdir } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { openStore, sqliteUrlForDataDir } from "../store/index.ts";
import { loadOrCreateServiceKeys } from "./auth/service-keys.ts";
import { type BootstrapResult, bootstrap } from "./bootstrap.ts";
import { type App, buildServer } from "./build-server.ts";
import { ServerConfigError } from "./errors.ts";
import { isLoopback, parseListenAddress } from "./listen-address.ts";
import { loadOrCreateTls } from "./tls.ts";
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
}

export interface RunningServer {
  readonly app: App;
  readonly url: string;
  /** SHA-256 of the TLS certificate; undefined over plain HTTP. */
  readonly fingerprint: string | undefined;
  readonly tlsCreated: boolean;
  readonly bootstrap: BootstrapResult;
  close(): Promise<void>;
}

/**
 * `hostpass server`: data directory, store (migrated), bootstrap, keys, TLS, listen. Plain HTTP is
 * refused unless asked for and bound to loopback, because tokens travel in every request.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { host, port } = parseListenAddress(options.listen);
  if (options.insecureHttp && !isLoopback(host)) {
    throw new ServerConfigError(
      "--insecure-http is only allowed on a loopback address (127.0.0.1, ::1, localhost)",
    );
  }
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore({ url: options.database ?? sqliteUrlForDataDir(options.dataDir) });
  const services = wireServices(store);
  try {
    const boot = await bootstrap(store, services.rbac, { adminPassword: options.adminPassword });
    const keys = await loadOrCreateServiceKeys(options.dataDir);
    const tls = options.insecureHttp ? undefined : await loadOrCreateTls(options.dataDir, [host]);
    const logger = { level: options.logLevel ?? "warn", stream: options.logStream ?? process.stderr };
    const app = await buildServer({ keys, services, logger, https: tls && { key: tls.key, cert: tls.cert } });
    await app.listen({ host, port });
    const address = app.server.address() as AddressInfo;
    const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
    const url = `${tls ? "https" : "http"}://${shownHost}:${address.port}`;
    const close = async () => {
      await app.close(); // stops accepting, lets in-flight requests finish
      services.close();
      await store.close();
    };
    return {
      app,
      url,
      fingerprint: tls?.fingerprint,
      tlsCreated: tls?.created ?? false,
      bootstrap: boot,
      close,
    };
  } catch (error) {
    services.close();
    await store.close();
    throw error;
  }
}
