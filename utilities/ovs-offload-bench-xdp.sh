#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ovs-offload-bench-xdp.sh -- VM to VM over one veth topology, with an ACL
# (ARP, ICMP and TCP port 5201 allowed, the rest dropped), through five
# switches measured in the same run: stock OVS userspace (netdev datapath
# on the veths), the Linux bridge (ACL as tc flower filters where the
# kernel has them), a bare XDP redirect between the two host-side veth
# ends (a one-line program, no ACL: the ceiling), ovs-offload with nicsim
# on AF_PACKET media, with nicsim on AF_XDP media (where the build has the
# XDP backend) and ovs-offload with the XDP backend; each gets iperf3 TCP throughput and ping round trips,
# and ratios against the bridge, stock OVS and the bare redirect are
# printed.  The host side (the veths' host ends, the daemons, the bridge)
# is a private namespace, so that runs and other OVS instances on the
# machine (their ovs-netdev device) do not collide.  Not part of CI:
# timings depend on the machine and its load.
#
# Usage: ovs-offload-bench-xdp.sh [--seconds N] [--pings N] [--json FILE]
#                                  [--pps]
#
#   --seconds N   iperf3 time per switch (default 5)
#   --pings N     pings per switch, 0.05 s apart (default 50)
#   --json FILE   also write the figures as JSON
#   --pps         then 64-byte frames (iperf3 UDP, 18-byte payloads, as
#                 fast as it sends) through OVS's own afxdp netdev (a PMD
#                 on CPU 0; the build of ovs-offload-build-afxdp.sh in
#                 $OVS_AFXDP_BUILD, default /var/cache/ovs-offload/
#                 ovs-3.1.0-afxdp) and through ovs-offload with XDP:
#                 frames per second delivered, and per busy CPU (the
#                 whole machine's, sender and receiver included)
#
# ovs-vswitchd-offload and the OVS tools are taken from $PATH; stock
# ovs-vswitchd from $OVS_BUILD/vswitchd (the pinned OVS build, e.g.
# /var/cache/ovs-offload/ovs-3.1.0/build), the OVS schema from
# $OVS_SOURCE.  Needs root, iperf3, ping, tc, and clang for the redirect.

set -o pipefail

seconds=5 pings=50 json= pps=false
die() { echo "ovs-offload-bench-xdp: error: $*" >&2; exit 1; }
say() { echo "ovs-offload-bench-xdp: $*" >&2; }

while [ $# -gt 0 ]; do
    case $1 in
        --seconds) seconds=$2; shift ;;
        --pings) pings=$2; shift ;;
        --json) json=$2; shift ;;
        --pps) pps=true ;;
        -h|--help) sed -n '3,33p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
    shift
done
for v in "$seconds" "$pings"; do
    case $v in ''|*[!0-9]*|0) die "--seconds and --pings want positive numbers" ;; esac
done
[ "$(id -u)" = 0 ] || die "must run as root"
afxdp_vswitchd=${OVS_AFXDP_BUILD:-/var/cache/ovs-offload/ovs-3.1.0-afxdp}/vswitchd/ovs-vswitchd
if $pps && [ ! -x "$afxdp_vswitchd" ]; then
    die "--pps: no ovs-vswitchd with AF_XDP at $afxdp_vswitchd (run utilities/ovs-offload-build-afxdp.sh)"
fi
schema=${OVS_SOURCE:?set OVS_SOURCE to the OVS source tree}/vswitchd/vswitch.ovsschema
stock=${OVS_BUILD:?set OVS_BUILD to the OVS build tree}/vswitchd/ovs-vswitchd
offload_schema=$(cd "$(dirname "$0")/.." && pwd)/ovsdb-schema/offload.ovsschema
[ -f "$schema" ] || die "no OVS schema at $schema"
[ -x "$stock" ] || die "no stock ovs-vswitchd at $stock"
for tool in ovsdb-tool ovsdb-server ovs-vsctl ovs-appctl ovs-ofctl \
            ovs-vswitchd-offload iperf3 ping tc ip ethtool clang gcc \
            python3; do
    command -v $tool >/dev/null || die "$tool is not in PATH"
done

tag=ob$$
hv=${tag}-hv                    # The host side's namespace.
. "$(dirname "$0")/ovs-offload-refs.sh" || die "no ovs-offload-refs.sh"
dir=$(mktemp -d /tmp/ovs-offload-bench-xdp.XXXXXX) || die "mktemp failed"
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir OVS_SYSCONFDIR=$dir
results=$dir/results.txt
pids=

cleanup() {
    stop_ovs
    for p in $pids; do kill $p 2>/dev/null; done
    for v in a b; do
        ip netns del ${tag}-$v 2>/dev/null
    done
    ip netns del $hv 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Two "VMs": namespaces with eth0, the other veth ends ${tag}a/${tag}b in
# the host side's namespace.  GRO gives the VM ends the NAPI that XDP redirects
# into a veth need; no IPv6 chatter.
setup_vms() {
    local v ip
    ip netns add $hv || die "ip netns add failed"
    ip -n $hv link set lo up
    for v in a b; do
        [ $v = a ] && ip=10.99.0.1 || ip=10.99.0.2
        ip netns add ${tag}-$v || die "ip netns add failed"
        ip netns exec ${tag}-$v sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
            net.ipv6.conf.default.disable_ipv6=1
        ip link add ${tag}$v netns $hv type veth peer name eth0 \
            netns ${tag}-$v \
            || die "ip link add failed"
        ip -n ${tag}-$v addr add $ip/24 dev eth0
        ip -n ${tag}-$v link set eth0 up
        ip -n ${tag}-$v link set lo up
        ip netns exec ${tag}-$v ethtool -K eth0 tx off gro on >/dev/null 2>&1
        ip -n $hv link set ${tag}$v up
    done
}

start_ovs() {
    local daemon=$1
    rm -f "$dir"/*.db
    ovsdb-tool create "$dir/conf.db" "$schema" || die "ovsdb-tool failed"
    ovsdb-tool create "$dir/offload.db" "$offload_schema" \
        || die "ovsdb-tool failed"
    ip netns exec $hv ovsdb-server --detach --no-chdir --pidfile --log-file \
        --remote=punix:"$dir/db.sock" "$dir/conf.db" "$dir/offload.db" \
        2>/dev/null || die "ovsdb-server did not start"
    ovs-vsctl --no-wait init
    ip netns exec $hv $daemon --detach --no-chdir --pidfile="$dir/ovs-vswitchd.pid" \
        --unixctl="$dir/ovs-vswitchd.ctl" --log-file="$dir/vswitchd.log" \
        2>/dev/null || die "$daemon did not start"
}

stop_ovs() {
    local pid i
    [ -S "$dir/ovs-vswitchd.ctl" ] && \
        ovs-appctl -t "$dir/ovs-vswitchd.ctl" exit --cleanup >/dev/null 2>&1
    # Until the daemon is gone (at most 10 s): on its way out it takes its
    # XDP programs (the backend's, libxdp's of the afxdp media) off the
    # veths, which a kill would leave there for the next switch.
    pid=$(cat "$dir/ovs-vswitchd.pid" 2>/dev/null)
    for i in $(seq 100); do
        [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    ovs-appctl -t ovsdb-server exit >/dev/null 2>&1
    for p in "$dir"/*.pid; do
        [ -f "$p" ] && kill "$(cat "$p" 2>/dev/null)" 2>/dev/null && rm -f "$p"
    done
    rm -f "$dir/ovs-vswitchd.ctl"
    true
}

# The ACL as OpenFlow: ARP, ICMP, TCP and UDP 5201 (--pps) either way,
# nothing else.
ovs_acl() {
    ovs-ofctl del-flows br0
    ovs-ofctl add-flows br0 - <<EOF
priority=100,arp,actions=NORMAL
priority=100,icmp,actions=NORMAL
priority=100,tcp,tp_dst=5201,actions=NORMAL
priority=100,tcp,tp_src=5201,actions=NORMAL
priority=100,udp,tp_dst=5201,actions=NORMAL
priority=100,udp,tp_src=5201,actions=NORMAL
priority=0,actions=drop
EOF
}

# measure NAME: ping and iperf3 from VM a to VM b; appends a line
# "NAME MBIT/S RTT_MS LOSS%" to the results.
measure() {
    local name=$1 out rtt loss mbps
    # Warm-up: ARP, the flows, the NIC rules.
    ip netns exec ${tag}-a ping -q -c 3 -i 0.2 -W 1 10.99.0.2 >/dev/null
    sleep 1
    out=$(ip netns exec ${tag}-a ping -q -c $pings -i 0.05 -W 1 10.99.0.2)
    loss=$(echo "$out" | sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p')
    rtt=$(echo "$out" | sed -n 's|^rtt [^=]*= [0-9.]*/\([0-9.]*\)/.*|\1|p')
    ip netns exec ${tag}-b iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
    local srv=$!
    sleep 0.5
    mbps=$(ip netns exec ${tag}-a iperf3 -c 10.99.0.2 -p 5201 -t $seconds -J \
           2>/dev/null | python3 -c '
import json, sys
try:
    r = json.load(sys.stdin)
    print("%.0f" % (r["end"]["sum_received"]["bits_per_second"] / 1e6))
except Exception:
    print(0)')
    kill $srv 2>/dev/null; wait $srv 2>/dev/null
    echo "$name ${mbps:-0} ${rtt:-nan} ${loss:-100}" >> "$results"
    say "$name: ${mbps:-0} Mbit/s, rtt ${rtt:-nan} ms, loss ${loss:-100}%"
}

bench_stock() {
    start_ovs "$stock"
    ovs-vsctl add-br br0 -- set bridge br0 datapath_type=netdev \
        -- add-port br0 ${tag}a -- add-port br0 ${tag}b
    ovs_acl
    measure "stock-ovs-userspace"
    stop_ovs
}

# The machine's busy and total CPU ticks, for --pps.
cpu_ticks() {
    awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8}' /proc/stat
}

# measure_pps NAME: 64-byte frames from VM a to VM b for --seconds;
# appends "NAME PPS BUSY_CPUS" to $dir/pps.txt.
measure_pps() {
    local name=$1 srv out b0 t0 b1 t1
    ip netns exec ${tag}-a ping -q -c 3 -i 0.2 -W 1 10.99.0.2 >/dev/null
    ip netns exec ${tag}-b iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
    srv=$!
    sleep 0.5
    read b0 t0 < <(cpu_ticks)
    out=$(ip netns exec ${tag}-a iperf3 -c 10.99.0.2 -p 5201 -u -b 0 -l 18 \
          -t $seconds -J 2>/dev/null)
    read b1 t1 < <(cpu_ticks)
    kill $srv 2>/dev/null; wait $srv 2>/dev/null
    echo "$out" | python3 -c '
import json, sys
name, secs, b0, t0, b1, t1, ncpu = sys.argv[1:]
try:
    s = json.load(sys.stdin)["end"]["sum"]
    pps = (s["packets"] - s["lost_packets"]) / float(secs)
except Exception:
    pps = 0
busy = (int(b1) - int(b0)) / max(1, int(t1) - int(t0)) * int(ncpu)
print(name, "%.0f" % pps, "%.2f" % busy)' "$name" $seconds $b0 $t0 $b1 $t1 \
        $(nproc) >> "$dir/pps.txt"
    say "$name: 64-byte frames: $(tail -1 "$dir/pps.txt" | cut -d' ' -f2) per second, $(tail -1 "$dir/pps.txt" | cut -d' ' -f3) CPUs busy"
}

# OVS's own AF_XDP netdev on the same veth ends, its PMD on CPU 0.
bench_pps_afxdp() {
    local v
    start_ovs "$afxdp_vswitchd"
    ovs-vsctl add-br br0 -- set bridge br0 datapath_type=netdev \
        -- set Open_vSwitch . other_config:pmd-cpu-mask=0x1 \
        -- add-port br0 ${tag}a -- set Interface ${tag}a type=afxdp \
             options:xdp-mode=native \
        -- add-port br0 ${tag}b -- set Interface ${tag}b type=afxdp \
             options:xdp-mode=native
    ovs_acl
    measure_pps "ovs-afxdp-netdev"
    stop_ovs
    for v in a b; do
        ip -n $hv link set dev ${tag}$v xdp off 2>/dev/null
    done
}

bench_offload() {        # bench_offload TYPE MEDIUM [NAME [MEASURE]]
    local type=$1 medium=$2 name=${3:-ovs-offload-$1} how=${4:-measure}
    start_ovs ovs-vswitchd-offload
    ovs-vsctl add-br br0 -- set bridge br0 datapath_type=netdev \
        -- set Open_vSwitch . other_config:hw-offload=true \
        -- add-port br0 vma -- set Interface vma type=$type \
             options:nic=${tag}nic options:role=vf options:vf=0 \
             options:medium=$medium:${tag}a \
        -- add-port br0 vmb -- set Interface vmb type=$type \
             options:nic=${tag}nic options:role=vf options:vf=1 \
             options:medium=$medium:${tag}b
    ovs_acl
    $how "$name"
    stop_ovs
    local v
    for v in a b; do
        ip -n $hv link show ${tag}$v | grep -q 'prog/xdp' \
            && say "$name: an XDP program was left on ${tag}$v"
        ip -n $hv link set dev ${tag}$v xdp off 2>/dev/null
    done
}

setup_vms
say "VM to VM on veth, ACL (ARP, ICMP, TCP 5201), iperf3 $seconds s," \
    "$pings pings; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
: > "$results"
bench_stock
refs_bridge $hv ${tag}a ${tag}b ${tag}br measure
refs_redirect $hv ${tag}a ${tag}b "$dir" measure
bench_offload nicsim afpacket
bench_offload nicsim afxdp ovs-offload-nicsim-afxdp
bench_offload xdp xdp
if $pps; then
    bench_pps_afxdp
    bench_offload xdp xdp ovs-offload-xdp measure_pps
fi

python3 - "$results" "$json" "$dir/pps.txt" <<'PY'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    name, mbps, rtt, loss = line.split()
    rows[name] = {"mbit_per_s": float(mbps), "rtt_ms": float(rtt),
                  "loss_percent": float(loss)}
print("%-26s %12s %10s %7s" % ("switch", "iperf3 Mb/s", "rtt ms", "loss%"))
for name, r in rows.items():
    print("%-26s %12.0f %10.3f %7.1f" % (name, r["mbit_per_s"], r["rtt_ms"],
                                         r["loss_percent"]))
def ratio(a, b, key):
    x, y = rows.get(a, {}).get(key), rows.get(b, {}).get(key)
    return x / y if x and y else float("nan")
xdp = "ovs-offload-xdp"
bridge = "linux-bridge" if "linux-bridge" in rows else "linux-bridge(no-acl)"
ratios = {
    "xdp_vs_bridge_throughput": ratio(xdp, bridge, "mbit_per_s"),
    "xdp_vs_stock_throughput": ratio(xdp, "stock-ovs-userspace",
                                     "mbit_per_s"),
    "xdp_vs_redirect_throughput": ratio(xdp, "bare-xdp-redirect",
                                        "mbit_per_s"),
    "xdp_vs_nicsim_throughput": ratio(xdp, "ovs-offload-nicsim",
                                      "mbit_per_s"),
    "xdp_vs_bridge_rtt": ratio(xdp, bridge, "rtt_ms"),
    "nicsim_afxdp_vs_afpacket_throughput": ratio(
        "ovs-offload-nicsim-afxdp", "ovs-offload-nicsim", "mbit_per_s"),
}
print()
for k, v in ratios.items():
    print("%-36s %6.2fx" % (k, v))
pps = {}
try:
    for line in open(sys.argv[3]):
        name, rate, busy = line.split()
        pps[name] = {"frames_per_s": float(rate), "busy_cpus": float(busy),
                     "frames_per_s_per_busy_cpu":
                     float(rate) / float(busy) if float(busy) else 0}
except FileNotFoundError:
    pass
if pps:
    print()
    print("%-26s %12s %10s %14s" % ("64-byte frames", "per second",
                                    "CPUs busy", "per busy CPU"))
    for name, r in pps.items():
        print("%-26s %12.0f %10.2f %14.0f" % (name, r["frames_per_s"],
              r["busy_cpus"], r["frames_per_s_per_busy_cpu"]))
    a, b = pps.get("ovs-offload-xdp"), pps.get("ovs-afxdp-netdev")
    if a and b and b["frames_per_s_per_busy_cpu"]:
        ratios["xdp_vs_ovs_afxdp_pps_per_cpu"] = (
            a["frames_per_s_per_busy_cpu"] / b["frames_per_s_per_busy_cpu"])
        print("%-36s %6.2fx" % ("xdp_vs_ovs_afxdp_pps_per_cpu",
                                ratios["xdp_vs_ovs_afxdp_pps_per_cpu"]))
if sys.argv[2]:
    json.dump({"results": rows, "ratios": ratios, "pps": pps},
              open(sys.argv[2], "w"), indent=2)
PY
