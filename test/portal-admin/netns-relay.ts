/**
 * Runs inside Chromium's own network namespace (see isolated-chromium.ts): brings loopback up,
 * listens on 127.0.0.1:<port> there and carries each connection to a Unix socket that the test
 * process serves in the host's namespace (a Unix socket is a file, so it crosses namespaces).
 * Each further `<address>:<port>` is served the same way (the address added to loopback first):
 * a service whose public URL is another address of the host (the local machines' gateway) is then
 * reached at that URL too. Marks itself ready with a file, then exits once Chromium (its parent)
 * is gone.
 *
 * argv: <port> <unix socket> <ready file> [<address>:<port> ...]
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";

const [portText, socketPath, readyFile, ...also] = process.argv.slice(2);
const port = Number(portText);
if (!Number.isInteger(port) || socketPath === undefined || readyFile === undefined) process.exit(2);
const lo = spawnSync("ip", ["link", "set", "lo", "up"], { stdio: "ignore" });
if (lo.status !== 0) process.exit(3);
const endpoints = [{ address: "127.0.0.1", port }];
for (const text of also) {
  const at = text.lastIndexOf(":");
  const endpoint = { address: text.slice(0, at), port: Number(text.slice(at + 1)) };
  if (at <= 0 || !Number.isInteger(endpoint.port)) process.exit(2);
  const added = spawnSync("ip", ["addr", "add", `${endpoint.address}/32`, "dev", "lo"], { stdio: "ignore" });
  if (added.status !== 0) process.exit(3);
  endpoints.push(endpoint);
}

const parent = process.ppid;
const relay = (client: Socket) => {
  const upstream = connect(socketPath);
  client.pipe(upstream).pipe(client);
  const end = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on("error", end);
  upstream.on("error", end);
};
let listening = 0;
for (const endpoint of endpoints) {
  const server = createServer(relay);
  server.on("error", () => process.exit(4));
  server.listen(endpoint.port, endpoint.address, () => {
    listening += 1;
    if (listening === endpoints.length) writeFileSync(readyFile, "ready");
  });
}
// Keep running while listening; this ends it when Chromium exits.
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 500).unref();
