#!/bin/bash
# PID 1 of a local machine (src/localvm/machine.ts). `unshare` starts it in fresh mount, UTS, IPC,
# network and PID namespaces, with stderr on the machine's console.log. It
#   1. builds the machine's view of the file system: an overlay on /etc (the shared read-only base,
#      base-image.ts, under the machine directory's etc), the machine directory's home, root, var/log
#      and var/lib over the host's (with the host's dpkg, apt, pam and ucf state read-only in it); fresh tmpfs on /run, /tmp, /var/tmp and /opt; the binds
#      it was given under /opt (the hostpass installation, read-only); a sysfs of its own network.
#      Mount propagation is private (unshare's default): the host never sees any of these mounts;
#   2. prints "ready" and waits for the host to move its veth in ("go <link> <address>/<prefix>
#      <gateway>"): its subnet and the host's gateway address are all it can reach;
#   3. runs sshd on <address>:22 (plus the extra sshd arguments it was given) and every service in /etc/localvm/services under supervision
#      (restarted a second after it exits), and reaps orphans (bash reaps every child, adopted ones
#      too) until it is killed; killing it ends every process of the machine (PID namespace).
# Also `init supervise <name> <program> [args]`: the supervision loop, run inside the machine.
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8

if [ "${1:-}" = supervise ]; then
  name=$2
  shift 2
  exec </dev/null >>"/var/log/localvm-$name.log" 2>&1
  while :; do
    "$@" &
    echo "$!" >"/run/localvm/$name.pid"
    status=0
    wait "$!" || status=$?
    echo "$(date -u +%FT%TZ) localvm: $name exited with status $status; restarting in 1 s"
    sleep 1
  done
fi

machine_dir=$1 base_etc=$2 hostname=$3 sshd_arg_count=$4
shift 4
sshd_args=("${@:1:sshd_arg_count}")
shift "$sshd_arg_count"
log() { echo "$(date -u +%FT%TZ) localvm-init: $*" >&2; }

mount -t tmpfs -o mode=0755,nosuid,nodev,size=64m machine-run /run
mkdir -p /run/localvm/stage/machine
install -m 0755 "$0" /run/localvm/init
# Everything taken from the host is staged first, so no later mount can hide a source
# (the machine directory or a bind source may live under /tmp, /root, /home or /opt).
mount --bind "$machine_dir" /run/localvm/stage/machine
mkdir -p /run/localvm/stage/base-etc
mount --bind "$base_etc" /run/localvm/stage/base-etc
mount -o remount,bind,ro /run/localvm/stage/base-etc
# The host's package state, which tools read (dpkg-query, apt): seen read-only in the machine's own /var/lib.
host_var_lib=()
for name in dpkg apt pam ucf; do
  if [ -d "/var/lib/$name" ] && [ ! -L "/var/lib/$name" ]; then
    mkdir -p "/run/localvm/stage/var-lib-$name"
    mount -o bind,ro "/var/lib/$name" "/run/localvm/stage/var-lib-$name"
    host_var_lib+=("$name")
  fi
done
binds=()
index=0
while [ "$#" -ge 3 ]; do
  stage="/run/localvm/stage/$index"
  mkdir -p "$stage"
  mount --bind "$1" "$stage"
  if [ "$3" = ro ]; then mount -o remount,bind,ro "$stage"; fi
  binds+=("$stage" "$2")
  shift 3
  index=$((index + 1))
done

machine=/run/localvm/stage/machine
mount -t overlay -o "lowerdir=/run/localvm/stage/base-etc,upperdir=$machine/etc,workdir=$machine/.etc-work" machine-etc /etc
mount --bind "$machine/home" /home
mount --bind "$machine/root" /root
mount --bind "$machine/var/log" /var/log
mount --bind "$machine/var/lib" /var/lib
for name in "${host_var_lib[@]}"; do
  mkdir -p "/var/lib/$name"
  mount --move "/run/localvm/stage/var-lib-$name" "/var/lib/$name"
done
mount -t tmpfs -o mode=0755,nosuid,nodev,size=16m machine-opt /opt
for ((i = 0; i < ${#binds[@]}; i += 2)); do
  mkdir -p "${binds[i + 1]}"
  mount --move "${binds[i]}" "${binds[i + 1]}"
done
mount -t tmpfs -o mode=1777,nosuid,nodev machine-tmp /tmp
mount -t tmpfs -o mode=1777,nosuid,nodev machine-var-tmp /var/tmp
mount -t sysfs -o ro,nosuid,nodev,noexec machine-sys /sys
umount /run/localvm/stage/base-etc "$machine"
rm -rf /run/localvm/stage

mkdir -m 0755 /run/sshd
mkdir -m 1777 /run/lock
install -m 0664 -g utmp /dev/null /run/utmp 2>/dev/null || install -m 0664 /dev/null /run/utmp
hostname "$hostname"
echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6
echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6
ip link set dev lo up

echo ready
read -r word link address gateway
[ "$word" = go ] || { log "expected 'go' from the host, got '$word'"; exit 1; }
exec </dev/null >/dev/null
ip link set dev "$link" name eth0
ip addr add "$address" dev eth0
ip link set dev eth0 up
ip route add "$gateway/32" dev eth0
log "up as $hostname on ${address%/*}"
# A graceful stop (SIGTERM; PID 1 ignores signals it has no handler for) ends every process here.
trap 'kill -TERM -1 2>/dev/null || true; exit 0' TERM

/run/localvm/init supervise sshd /usr/sbin/sshd -D -e -o "ListenAddress=${address%/*}:22" "${sshd_args[@]}" &
for service in /etc/localvm/services/*; do
  [ -f "$service" ] && [ -x "$service" ] || continue
  /run/localvm/init supervise "${service##*/}" "$service" &
done
while :; do
  wait -n || sleep 1
done
