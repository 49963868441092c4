/**
 * A scratch root laid out like a Debian host's /etc, /var/lib and /home (the file layer's tests
 * run the agent against it; nothing of the machine's own /etc is touched). Its sshd_config is
 * Debian 12's, with paths under the scratch root, so the real `sshd -t` / `sshd -T` check it.
 */
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type HostPaths, hostPaths } from "../../../src/agent/host-paths.ts";
import { makeTempDir, sshKeygen } from "../../helpers/openssh.ts";

export const DEBIAN_NSSWITCH = `# /etc/nsswitch.conf
#
# Example configuration of GNU Name Service Switch functionality.

passwd:         files systemd
group:          files systemd
shadow:         files systemd
gshadow:        files systemd

hosts:          files dns
networks:       files

protocols:      db files
services:       db files
ethers:         db files
rpc:            db files

netgroup:       nis
`;

export const DEBIAN_PAM_SSHD = `# PAM configuration for the Secure Shell service

# Standard Un*x authentication.
@include common-auth

# Disallow non-root logins when /etc/nologin exists.
account    required     pam_nologin.so

# Standard Un*x authorization.
@include common-account

session [success=ok ignore=ignore module_unknown=ignore default=bad]        pam_selinux.so close
session    required     pam_loginuid.so
session    optional     pam_keyinit.so force revoke

# Standard Un*x session setup and teardown.
@include common-session

session    optional     pam_motd.so  motd=/run/motd.dynamic
session    optional     pam_motd.so noupdate
session    optional     pam_mail.so standard noenv # [1]
session    required     pam_limits.so
session    required     pam_env.so # [1]
session    required     pam_env.so user_readenv=1 envfile=/etc/default/locale
session [success=ok ignore=ignore module_unknown=ignore default=bad]        pam_selinux.so open

# Standard Un*x password updating.
@include common-password
`;

export const LOCAL_PASSWD = `root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
sshd:x:100:65534::/run/sshd:/usr/sbin/nologin
localadmin:x:1000:1000:Break-glass admin:/home/localadmin:/bin/bash
`;

export const LOCAL_GROUP = `root:x:0:
daemon:x:1:
shadow:x:42:
sudo:x:27:localadmin
localadmin:x:1000:
nogroup:x:65534:
`;

export function debianSshdConfig(root: string, options: { include?: boolean } = {}): string {
  const include = options.include ?? true;
  return `${include ? `Include ${root}/etc/ssh/sshd_config.d/*.conf\n\n` : ""}# Debian 12's defaults, under a scratch root
HostKey ${root}/etc/ssh/ssh_host_ed25519_key
PidFile ${root}/run/sshd.pid
KbdInteractiveAuthentication no
UsePAM yes
X11Forwarding yes
PrintMotd no
AcceptEnv LANG LC_*
Subsystem	sftp	/usr/lib/openssh/sftp-server
`;
}

export interface ScratchHost {
  readonly root: string;
  readonly paths: HostPaths;
}

export async function makeScratchHost(options: { include?: boolean } = {}): Promise<ScratchHost> {
  const root = await makeTempDir("hostpass-agent-host-");
  const dir = async (p: string, mode = 0o755) => {
    await mkdir(join(root, p), { recursive: true });
    await chmod(join(root, p), mode);
  };
  for (const d of [
    "etc/ssh/sshd_config.d",
    "etc/pam.d",
    "etc/sudoers.d",
    "etc/skel",
    "var/lib",
    "run",
    "home",
  ]) {
    await dir(d);
  }
  for (const d of ["etc", "etc/ssh", "var"]) await chmod(join(root, d), 0o755);
  await writeFile(join(root, "etc/ssh/sshd_config"), debianSshdConfig(root, options), { mode: 0o644 });
  await sshKeygen(["-q", "-t", "ed25519", "-N", "", "-f", join(root, "etc/ssh/ssh_host_ed25519_key")]);
  await writeFile(join(root, "etc/nsswitch.conf"), DEBIAN_NSSWITCH, { mode: 0o644 });
  await writeFile(join(root, "etc/pam.d/sshd"), DEBIAN_PAM_SSHD, { mode: 0o644 });
  await writeFile(join(root, "etc/passwd"), LOCAL_PASSWD, { mode: 0o644 });
  await writeFile(join(root, "etc/group"), LOCAL_GROUP, { mode: 0o644 });
  await writeFile(join(root, "etc/sudoers.d/README"), "# sudoers.d README\n", { mode: 0o440 });
  await writeFile(join(root, "etc/skel/.bashrc"), "# skel\n", { mode: 0o644 });
  return { root, paths: hostPaths(root) };
}

export async function hostKeyPub(host: ScratchHost): Promise<string> {
  return readFile(join(host.root, "etc/ssh/ssh_host_ed25519_key.pub"), "utf8");
}
