#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ovs-offload-demo.sh -- the main job: set everything up (Debian packages,
# the pinned OVS build, configure, make) and run the demo.
#
# Usage: ovs-offload-demo.sh [--keep] [--quick] [--seconds N] [--backend B]
#                            [--setups LIST] [--out DIR] [--ovn]
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
# utilities/ovs-offload-hypervisors.sh --help.  --ovn runs the same
# hypervisors under OVN instead (Debian's ovn-central and ovn-host,
# installed here when missing, with their services kept from starting:
# the run starts its own daemons in private directories).  Run as root.

set -o pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

case " $* " in
    *" -h "*|*" --help "*) sed -n '3,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
[ "$(id -u)" = 0 ] || { echo "ovs-offload-demo: error: must run as root" >&2; exit 1; }

# OVN for --ovn.  Its packages (and the openvswitch-switch they pull in)
# would start Debian's ovsdb-server, ovs-vswitchd, ovn-northd and
# ovn-controller on the default sockets: a policy-rc.d that refuses every
# start is in place during the install, unless the host has its own.
install_ovn() {
    local policy=/usr/sbin/policy-rc.d ours=false
    command -v ovn-northd >/dev/null && command -v ovn-controller >/dev/null \
        && return 0
    echo "ovs-offload-demo: installing ovn-central ovn-host (services not started)" >&2
    if [ ! -e $policy ]; then
        printf '#!/bin/sh\nexit 101\n' > $policy && chmod +x $policy && ours=true
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q ovn-central ovn-host \
        >>/tmp/ovs-offload-apt.log 2>&1
    local status=$?
    $ours && rm -f $policy
    [ $status = 0 ] || { echo "ovs-offload-demo: error: apt-get install ovn-central ovn-host failed; see /tmp/ovs-offload-apt.log" >&2; exit 1; }
}
case " $* " in
    *" --ovn "*) install_ovn ;;
esac

out=$("$top/utilities/ovs-offload-build.sh") || exit 1
eval "$(echo "$out" | grep -E '^(BUILDDIR|OVS_SOURCE|OVS_BUILD)=')"
export OVS_SOURCE OVS_BUILD
export PATH=$BUILDDIR/vswitchd-ext:$OVS_BUILD/utilities:$OVS_BUILD/ovsdb:$PATH
exec "$top/utilities/ovs-offload-hypervisors.sh" "$@"
