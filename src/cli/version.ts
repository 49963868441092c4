/** `hostpass --version`: this build's version and the runtime it runs on. */
import pkg from "../../package.json" with { type: "json" };

export const VERSION = pkg.version;
export const VERSION_TEXT = `hostpass ${pkg.version}\nnode ${process.versions.node}`;
