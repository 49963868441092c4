#!/bin/sh
# Debian's Chromium in a network namespace of its own, with only loopback: address changes on the
# host (other tests' veth pairs and bridges) would otherwise make Chromium drop its connections
# with ERR_NETWORK_CHANGED in the middle of a test. A relay (netns-relay.ts) started inside the
# namespace carries 127.0.0.1:<port> there (and each <address>:<port> of HOSTPASS_RELAY_ALSO, space
# separated) to the test server through a Unix socket.
# Environment: HOSTPASS_RELAY_NODE, HOSTPASS_RELAY_SCRIPT, HOSTPASS_RELAY_PORT, HOSTPASS_RELAY_SOCKET,
# HOSTPASS_RELAY_ALSO (optional).
exec unshare --net -- sh -c '
  "$HOSTPASS_RELAY_NODE" "$HOSTPASS_RELAY_SCRIPT" "$HOSTPASS_RELAY_PORT" "$HOSTPASS_RELAY_SOCKET" "$0" $HOSTPASS_RELAY_ALSO &
  i=0
  while [ ! -e "$0" ]; do
    i=$((i + 1))
    [ "$i" -gt 400 ] && { echo "network namespace relay did not start" >&2; exit 1; }
    sleep 0.05
  done
  exec /usr/bin/chromium "$@"' "$HOSTPASS_RELAY_SOCKET.ready" "$@"
