#!/bin/bash
# ovs-offload-demo.sh -- the main job: set everything up (Debian packages,
# the pinned OVS build, configure, make) and run the demo.
#
# Usage: ovs-offload-demo.sh [--keep] [--count N]
#
# Today the demo is a sandbox hypervisor: ovs-vswitchd-offload on the
# userspace datapath with two VMs (network namespaces) pinging each other.
# --keep leaves it running and prints how to reach it.  Run as root.

set -o pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

case " $* " in
    *" -h "*|*" --help "*) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
[ "$(id -u)" = 0 ] || { echo "ovs-offload-demo: error: must run as root" >&2; exit 1; }

out=$("$top/utilities/ovs-offload-build.sh") || exit 1
eval "$(echo "$out" | grep -E '^(BUILDDIR|OVS_SOURCE|OVS_BUILD)=')"
export OVS_SOURCE
export PATH=$BUILDDIR/vswitchd-ext:$OVS_BUILD/utilities:$OVS_BUILD/ovsdb:$PATH
exec "$top/utilities/ovs-offload-sandbox.sh" "$@"
