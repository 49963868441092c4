#!/usr/bin/env bash
# The test command: installs what the tests need, then type check + lint + every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm test
