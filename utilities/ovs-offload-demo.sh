#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ovs-offload-demo.sh -- the main job: set everything up (Debian packages,
# the pinned OVS build, configure, make) and run the demo.
#
# Usage: ovs-offload-demo.sh [--keep] [--quick] [--seconds N] [--backend B]
#                            [--setups LIST] [--out DIR]
#
# Two hypervisors (network namespaces, each with ovsdb-server and
# ovs-vswitchd-offload on the userspace datapath and a nicsim NIC, uplinks
# joined by a veth pair) and four VMs (namespaces on veth), an OpenFlow
# policy with an ACL, ping and iperf3 with offload off, on, and on stock
# OVS's userspace datapath with plain veth ports.  Prints the report and
# writes report.txt, report.json and chart.png into --out (default
# ./hypervisors-report).  --keep leaves the last set-up running and prints
# how to reach it.  --backend xdp runs the offload set-ups on the XDP NIC
# backend instead of nicsim, and the report adds the Linux bridge and a
# bare XDP redirect on the same veth ends, measured in the same run.  See
# utilities/ovs-offload-hypervisors.sh --help.  Run as root.

set -o pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

case " $* " in
    *" -h "*|*" --help "*) sed -n '3,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
[ "$(id -u)" = 0 ] || { echo "ovs-offload-demo: error: must run as root" >&2; exit 1; }

out=$("$top/utilities/ovs-offload-build.sh") || exit 1
eval "$(echo "$out" | grep -E '^(BUILDDIR|OVS_SOURCE|OVS_BUILD)=')"
export OVS_SOURCE OVS_BUILD
export PATH=$BUILDDIR/vswitchd-ext:$OVS_BUILD/utilities:$OVS_BUILD/ovsdb:$PATH
exec "$top/utilities/ovs-offload-hypervisors.sh" "$@"
