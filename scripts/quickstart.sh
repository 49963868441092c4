#!/usr/bin/env bash
# The README's first command, as root on a fresh Debian or Ubuntu machine: installs what hostpass
# needs (scripts/setup.sh), then starts the service in the background on SQLite with the local
# machine provider and walks the seed's demo (scripts/quickstart/main.ts): a resource group, a
# machine with login by directory identity, a demo user with Virtual Machine Administrator Login,
# and the one command that gives you a shell there. A second run reuses what exists.
#   bash scripts/quickstart.sh                 set up (or reuse) and print the next command
#   bash scripts/quickstart.sh --stop          stop the service and its machines
#   bash scripts/quickstart.sh --remove --yes  remove everything it made
#   bash scripts/quickstart.sh --help          this text
# Options: --data-dir DIR (default /var/lib/hostpass), --port PORT (default 8443).
set -euo pipefail
cd "$(dirname "$0")/.."
# --help works on a fresh machine (before setup.sh installed Node): the lines above are the help.
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "scripts/quickstart.sh"; }
# Unknown options are refused before anything is installed (scripts/quickstart/main.ts parses them again).
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --stop | --remove | --yes | --help | -h) ;;
    --data-dir | --port)
      i=$((i + 1))
      if [ "$i" -ge "${#args[@]}" ]; then
        echo "quickstart: ${args[i - 1]} needs a value" >&2
        exit 2
      fi
      ;;
    --data-dir=* | --port=*) ;;
    *)
      echo "quickstart: unknown option '${args[i]}' (see bash scripts/quickstart.sh --help)" >&2
      exit 2
      ;;
  esac
done
case " $* " in
  *" --help "* | *" -h "*)
    usage
    exit 0
    ;;
  *" --stop "* | *" --remove "*)
    # Nothing can have been started or made before setup.sh installed Node.
    if [ ! -x node_modules/.bin/node ]; then
      echo "quickstart: nothing to stop or remove: it has not been set up here (run bash scripts/quickstart.sh)" >&2
      exit 0
    fi
    ;;
  *) bash scripts/setup.sh ;;
esac
exec node_modules/.bin/node --disable-warning=ExperimentalWarning scripts/quickstart/main.ts "$@"
