/**
 * Runs inside Chromium's own network namespace (see isolated-chromium.ts): brings loopback up,
 * listens on 127.0.0.1:<port> there and carries each connection to a Unix socket that the test
 * process serves in the host's namespace (a Unix socket is a file, so it crosses namespaces).
 * Marks itself ready with a file, then exits once Chromium (its parent) is gone.
 *
 * argv: <port> <unix socket> <ready file>
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";

const [portText, socketPath, readyFile] = process.argv.slice(2);
const port = Number(portText);
if (!Number.isInteger(port) || socketPath === undefined || readyFile === undefined) process.exit(2);
const lo = spawnSync("ip", ["link", "set", "lo", "up"], { stdio: "ignore" });
if (lo.status !== 0) process.exit(3);

const parent = process.ppid;
const server = createServer((client) => {
  const upstream = connect(socketPath);
  client.pipe(upstream).pipe(client);
  const end = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on("error", end);
  upstream.on("error", end);
});
server.listen(port, "127.0.0.1", () => writeFileSync(readyFile, "ready"));
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 500).unref();
// Keep running while listening; the interval above ends it when Chromium exits.
server.on("error", () => process.exit(4));
