/**
 * Where the agent's files live on a host. `root` is `/` on a real host; tests use a scratch
 * directory as the root (the file layer), or a mount namespace where `/` is the machine's own.
 * Every path the agent writes into a file (the sshd drop-in names the CA, KRL and principals
 * files) is one of these, so a file written under a test root points at files under that root.
 */
import { join } from "node:path";

export interface HostPaths {
  readonly root: string;
  /** Directories the agent creates (root-owned, 0755) when missing. */
  readonly sshDir: string;
  readonly hostpassSshDir: string;
  readonly principalsDir: string;
  readonly sshdConfig: string;
  readonly sshdDropInDir: string;
  readonly sshdDropIn: string;
  readonly trustedUserCaKeys: string;
  readonly revokedKeys: string;
  readonly hostCertificatesDir: string;
  readonly extrausersDir: string;
  readonly extrausersPasswd: string;
  readonly extrausersGroup: string;
  readonly extrausersShadow: string;
  readonly nsswitch: string;
  readonly pamSshd: string;
  readonly sudoersDir: string;
  /** No `.` in the name: sudo ignores files in sudoers.d whose names contain one. */
  readonly sudoersFile: string;
  readonly localPasswd: string;
  readonly localGroup: string;
  readonly homeBase: string;
  readonly skel: string;
  /** The agent's own state (key, configuration, desired state, originals of edited files): 0700. */
  readonly stateDir: string;
}

export function hostPaths(root = "/", options: { stateDir?: string } = {}): HostPaths {
  const at = (...parts: string[]) => join(root, ...parts);
  const hostpassSshDir = at("etc/ssh/hostpass");
  return Object.freeze({
    root,
    sshDir: at("etc/ssh"),
    hostpassSshDir,
    principalsDir: join(hostpassSshDir, "principals"),
    sshdConfig: at("etc/ssh/sshd_config"),
    sshdDropInDir: at("etc/ssh/sshd_config.d"),
    // "00-" so it is read before other drop-ins: sshd keeps the first value it sees.
    sshdDropIn: at("etc/ssh/sshd_config.d/00-hostpass.conf"),
    trustedUserCaKeys: join(hostpassSshDir, "trusted_user_ca_keys"),
    revokedKeys: join(hostpassSshDir, "revoked.krl"),
    hostCertificatesDir: join(hostpassSshDir, "host-certificates"),
    extrausersDir: at("var/lib/extrausers"),
    extrausersPasswd: at("var/lib/extrausers/passwd"),
    extrausersGroup: at("var/lib/extrausers/group"),
    extrausersShadow: at("var/lib/extrausers/shadow"),
    nsswitch: at("etc/nsswitch.conf"),
    pamSshd: at("etc/pam.d/sshd"),
    sudoersDir: at("etc/sudoers.d"),
    sudoersFile: at("etc/sudoers.d/hostpass-admins"),
    localPasswd: at("etc/passwd"),
    localGroup: at("etc/group"),
    homeBase: at("home"),
    skel: at("etc/skel"),
    stateDir: options.stateDir ? at(options.stateDir) : at("var/lib/hostpass-agent"),
  });
}
