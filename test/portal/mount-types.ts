/** Compile-only: the portal mounts on src/server's App type (TypeBox provider) without casts. */
import { type PortalDeps, registerPortal } from "../../src/portal/index.ts";
import type { App } from "../../src/server/app.ts";

export function mountPortal(app: App, deps: PortalDeps): void {
  registerPortal(app, deps);
}
