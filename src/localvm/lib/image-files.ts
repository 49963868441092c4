/**
 * The configuration a fresh local machine starts with: what a Debian 12 cloud image has, so the
 * host agent meets the files it meets on a real host (and wires NSS, PAM, sudo and sshd itself).
 */

/** Debian's sshd_config, minus comments. No ListenAddress: init passes `-o ListenAddress=<address>:22`. */
export const SSHD_CONFIG = `Include /etc/ssh/sshd_config.d/*.conf
HostKey /etc/ssh/ssh_host_ed25519_key
HostKey /etc/ssh/ssh_host_ecdsa_key
KbdInteractiveAuthentication no
PasswordAuthentication no
PermitRootLogin prohibit-password
UsePAM yes
X11Forwarding no
PrintMotd no
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
`;

/** Debian's /etc/sudoers. */
export const SUDOERS = `Defaults\tenv_reset
Defaults\tmail_badpass
Defaults\tsecure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
Defaults\tuse_pty
root\tALL=(ALL:ALL) ALL
%sudo\tALL=(ALL:ALL) ALL
@includedir /etc/sudoers.d
`;

/** Debian's /etc/nsswitch.conf: local files only (the agent adds extrausers when login is enabled). */
export const NSSWITCH = `passwd:         files
group:          files
shadow:         files
gshadow:        files
hosts:          files dns
networks:       files
protocols:      db files
services:       db files
ethers:         db files
rpc:            db files
netgroup:       nis
`;

export function hostsFile(hostname: string): string {
  return `127.0.0.1\tlocalhost\n127.0.1.1\t${hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`;
}

/** The provisioned admin's sudo rule, as the Azure Linux agent writes it for a key-only admin. */
export function adminSudoers(name: string): string {
  return `${name} ALL=(ALL) NOPASSWD:ALL\n`;
}

/** A service's start script: argv, single-quoted for sh (a quote inside becomes '\\''). */
export function serviceScript(argv: readonly string[]): string {
  const quoted = argv.map((arg) => `'${arg.replaceAll("'", "'\\''")}'`);
  return `#!/bin/sh\nexec ${quoted.join(" ")}\n`;
}
