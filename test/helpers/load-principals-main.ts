/**
 * `node test/helpers/load-principals-main.ts <data dir> <tenant id>`: the load's service principal
 * (see crash-harness.ts) written into a server's SQLite store, printed as JSON. For tests whose
 * data directory is only visible inside a mount namespace of their own (run under `nsenter`).
 */
import { setUpLoadPrincipals } from "./crash-harness.ts";

const [dataDir, tenantId] = process.argv.slice(2);
if (!dataDir || !tenantId) throw new Error("usage: load-principals-main.ts <data dir> <tenant id>");
process.stdout.write(`${JSON.stringify(await setUpLoadPrincipals(dataDir, undefined, tenantId, 1, 1))}\n`);
