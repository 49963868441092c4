/**
 * `npm run bench -- <name> [args]`: runs bench/<name>.ts and prints its result as one JSON object.
 * Every benchmark reports ratios against a baseline measured in the same process, never absolute
 * timings compared with a constant.
 */
import { readdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("lib-"))
  .map((f) => f.slice(0, -3));

const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join("|")}> [args]`);
  process.exit(2);
}
const mod = (await import(`./${name}.ts`)) as { run(args: string[]): Promise<object> };
const result = await mod.run(args);
console.log(JSON.stringify({ benchmark: name, node: process.version, ...result }, null, 2));
