#!/usr/bin/env bash
# The main job on the embedded default: installs what hostpass needs (see setup.sh), then runs
# `hostpass server` with its state (SQLite database, keys, TLS certificate) in /var/lib/hostpass.
# Extra arguments go to `hostpass server` (e.g. --listen 0.0.0.0:8443).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec bin/hostpass server "$@"
