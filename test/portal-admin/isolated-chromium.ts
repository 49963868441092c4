/**
 * Chromium for the portal's browser tests, isolated from the host's network changes: other tests
 * on this machine create and remove veth pairs and bridges, and Chromium answers any address
 * change by dropping its connections (ERR_NETWORK_CHANGED), which would fail a test at random.
 * As root, Chromium runs in a network namespace of its own (chromium-in-netns.sh) and reaches the
 * test server through a relay; elsewhere it runs as usual.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { launchChromium } from "../portal/helpers/chromium.ts";

export interface IsolatedChromium {
  readonly browser: Browser;
  close(): Promise<void>;
}

/**
 * Chromium that can reach `127.0.0.1:<port>` (the test server) and nothing else; with `publicUrl`
 * (a service whose public URL is another address of this host, as with local machines: its
 * sign-in redirects there), that URL's address and port reach the same server too.
 */
export async function launchIsolatedChromium(port: number, publicUrl?: string): Promise<IsolatedChromium> {
  if (process.getuid?.() !== 0) {
    const browser = await launchChromium();
    return { browser, close: () => browser.close() };
  }
  const dir = await mkdtemp(join(tmpdir(), "hostpass-chromium-"));
  const socketPath = join(dir, "relay.sock");
  const relay: Server = createServer((client) => {
    const upstream = connect(port, "127.0.0.1");
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end);
    upstream.on("error", end);
  });
  await new Promise<void>((resolve, reject) => {
    relay.once("error", reject);
    relay.listen(socketPath, resolve);
  });
  const close = async () => {
    await new Promise<void>((resolve) => relay.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const browser = await launchChromium({
      executablePath: new URL("./chromium-in-netns.sh", import.meta.url).pathname,
      env: {
        ...process.env,
        HOSTPASS_RELAY_NODE: process.execPath,
        HOSTPASS_RELAY_SCRIPT: new URL("./netns-relay.ts", import.meta.url).pathname,
        HOSTPASS_RELAY_PORT: String(port),
        HOSTPASS_RELAY_SOCKET: socketPath,
        HOSTPASS_RELAY_ALSO: alsoReached(port, publicUrl),
      },
    });
    return {
      browser,
      async close() {
        await browser.close();
        await close();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** `<address>:<port>` of `publicUrl` when it is not the loopback URL already served; else "". */
function alsoReached(port: number, publicUrl: string | undefined): string {
  if (publicUrl === undefined) return "";
  const url = new URL(publicUrl);
  const publicPort = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  return url.hostname === "127.0.0.1" && publicPort === port ? "" : `${url.hostname}:${publicPort}`;
}
