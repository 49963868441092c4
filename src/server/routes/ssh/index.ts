import type { App } from "../../app.ts";
import type { RouteDeps, SshServices } from "../../deps.ts";
import { registerGetSshCa } from "./get-ssh-ca.ts";
import { registerListCaKeys } from "./list-ca-keys.ts";
import { registerListCertificates } from "./list-certificates.ts";
import { registerPostCaRotate } from "./post-ca-rotate.ts";
import { registerPostRevocations } from "./post-revocations.ts";
import { registerPostSshCertificate } from "./post-ssh-certificate.ts";

/**
 * The SSH CA's routes, in the API's scope so the OpenAPI document lists them: issuance and the
 * public CA keys (public: issuance authenticates with its own Linux VM Sign-In token), then the
 * administrators' CA operations and certificate ledger (RBAC at the tenant root).
 */
export function registerSshRoutes(app: App, ssh: SshServices, deps: RouteDeps): void {
  registerPostSshCertificate(app, ssh.certificates);
  registerGetSshCa(app, ssh.certificates);
  registerListCaKeys(app, ssh);
  registerPostCaRotate(app, ssh, deps);
  registerListCertificates(app, ssh, deps);
  registerPostRevocations(app, deps);
}
