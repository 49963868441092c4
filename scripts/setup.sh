#!/usr/bin/env bash
# Installs everything hostpass needs on a Debian machine, as root, idempotently:
# Debian packages (OpenSSH, NSS/PAM/sudo, PostgreSQL, Chromium for browser tests), Node 24 (from the `node` npm package,
# pinned in package.json), the npm dependencies, and a running PostgreSQL for the store tests.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(openssh-server openssh-client libnss-extrausers sudo postgresql chromium ca-certificates iproute2 zsh)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ! command -v npm >/dev/null 2>&1; then missing+=(nodejs npm); fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Never start the machine's own sshd because of this install; tests run their own on loopback.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi
mkdir -p /run/sshd && chmod 0755 /run/sshd

# Node 24 comes with the npm dependencies (devDependency "node"); npm scripts put it first on PATH.
# Not `npm ci`: the registry reachable here lacks other platforms' optional packages (Biome's
# darwin/win32 binaries), so `npm ci` calls the lock file out of sync although `npm install`
# installs exactly the locked versions. --no-save keeps package.json and the lock file untouched.
npm install --no-save --no-audit --no-fund --loglevel=error
echo "setup: node $(node_modules/.bin/node --version), $(ssh -V 2>&1)"

# Local machines (src/localvm) reach this host at one gateway address (10.213.255.1 on the link
# hostpass-gw). It is made once, here, so that no test run adds or removes a host address while a
# browser test runs: Chromium aborts every request in flight (ERR_NETWORK_CHANGED) when one changes.
node_modules/.bin/node --input-type=module -e 'await (await import("./src/localvm/index.ts")).ensureGateway()'
echo "setup: local machines' gateway ready (hostpass-gw)"

# PostgreSQL: trust auth on 127.0.0.1:5432 with a database named `test` (the store tests use it).
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  cluster_version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$cluster_version" ]; then
    cluster_version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    pg_createcluster "$cluster_version" main >/dev/null
  fi
  pg_ctlcluster --skip-systemctl-redirect "$cluster_version" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! psql -h 127.0.0.1 -U postgres -tAc "select 1" test >/dev/null 2>&1; then
  # A fresh cluster asks for a password on TCP; allow trust on loopback only, as these machines do.
  hba=$(su postgres -c "psql -tAc 'show hba_file'")
  if ! grep -q "hostpass-test" "$hba"; then
    sed -i '1i host all all 127.0.0.1/32 trust # hostpass-test\nhost all all ::1/128 trust # hostpass-test' "$hba"
    su postgres -c "psql -tAc 'select pg_reload_conf()'" >/dev/null
  fi
  su postgres -c "psql -tAc \"select 1 from pg_database where datname='test'\"" | grep -q 1 \
    || su postgres -c "createdb test"
fi
echo "setup: postgresql ready on 127.0.0.1:5432"
