import { connect, createServer, type Server, type Socket } from "node:net";
import { parseIpv4, parseIpv4Prefix, prefixesOverlap } from "./subnet.ts";

export interface GatewayRelay {
  /** The port it listens on, at the network's gateway address. */
  readonly port: number;
  /** Where connections go (the service's own listening address); set once the service listens. */
  setTarget(target: { host: string; port: number }): void;
  close(): Promise<void>;
}

/**
 * Makes a service that listens on loopback reachable from a local network's machines: a TCP relay
 * on `<gateway>:<port>` that forwards bytes (TLS stays end to end) to the service. It accepts only
 * connections from the network's own subnet and from this host: machines of other local networks
 * (which share the gateway address) and hosts elsewhere that route to it are refused at once.
 */
export async function startGatewayRelay(options: {
  readonly gateway: string;
  readonly subnet: string;
  /** 0 for any free port. */
  readonly port: number;
}): Promise<GatewayRelay> {
  const subnet = parseIpv4Prefix(options.subnet);
  if (!subnet || parseIpv4(options.gateway) === undefined)
    throw new TypeError("relay needs an IPv4 gateway and subnet");
  let target: { host: string; port: number } | undefined;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const source = client.remoteAddress?.replace(/^::ffff:/, "") ?? "";
    const from = parseIpv4Prefix(source);
    // This host connects from the gateway address itself; a packet from elsewhere with that source
    // never gets here (the kernel drops a local source address arriving on another interface).
    const allowed = from !== undefined && (prefixesOverlap(from, subnet) || source === options.gateway);
    if (!allowed || !target) {
      client.destroy();
      return;
    }
    const upstream = connect(target);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: options.gateway, port: options.port }, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new TypeError("relay has no address");
  return {
    port: address.port,
    setTarget(value) {
      target = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
