/** Where the quickstart keeps what it made, inside the service's data directory. */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** This checkout (the quickstart runs `bin/hostpass` from it). */
export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const HOSTPASS = join(REPO, "bin", "hostpass");

export interface QuickstartPaths {
  readonly dataDir: string;
  /** `<data-dir>/quickstart`, 0700: the state below. */
  readonly dir: string;
  readonly pidFile: string;
  readonly log: string;
  /** The first administrator's password (made by the first run, 0600). */
  readonly adminPassword: string;
  /** The demo user's name and password (0600). */
  readonly demoUser: string;
  /** The administrator's CLI profile (HOSTPASS_CONFIG_DIR), apart from yours. */
  readonly adminConfig: string;
  /** HOME for the administrator's CLI: `vm create --generate-ssh-keys` keeps the admin key here. */
  readonly adminHome: string;
  /** The service's TLS certificate (the CA its clients trust). */
  readonly certificate: string;
  readonly machines: string;
}

export function quickstartPaths(dataDir: string): QuickstartPaths {
  const dir = join(dataDir, "quickstart");
  return {
    dataDir,
    dir,
    pidFile: join(dir, "server.pid"),
    log: join(dir, "server.log"),
    adminPassword: join(dir, "admin-password"),
    demoUser: join(dir, "demo-user.json"),
    adminConfig: join(dir, "admin-cli"),
    adminHome: join(dir, "admin-home"),
    certificate: join(dataDir, "tls", "server-cert.pem"),
    machines: join(dataDir, "machines"),
  };
}
