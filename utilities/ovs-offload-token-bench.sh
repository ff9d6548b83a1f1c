#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ovs-offload-token-bench.sh -- sealed destinations across hosts: token
# frames against plain tunnelled frames, in the same run, on the same
# inner frames.
#
# Usage: ovs-offload-token-bench.sh [--count N] [--rates LIST]
#            [--payload B] [--rounds R] [--out DIR]
#
#   --count N     frames per measurement (default 20000)
#   --rates LIST  offered rates in frames per second, comma-separated; 0
#                 is as fast as the sender goes (default
#                 20000,50000,100000,150000,200000)
#   --payload B   ICMP payload bytes of the inner frames (default 56)
#   --rounds R    measurements per rate and kind, alternated (default 3;
#                 the table has the median)
#   --out DIR     where token-bench.txt and token-bench.json go
#                 (default ./token-bench)
#
# Sets up the two hypervisors of the demo over a VXLAN overlay
# (ovs-offload-hypervisors.sh --keep --quick --setups on --overlay vxlan),
# gives hv1's NIC an underlay (hv1's br-phy address and MAC, hv2's br-phy
# MAC as next hop) and a sealing key, mints a token for vm3 (behind hv2,
# VNI 100) bound to vm1's VF, and sends from vm1, at each offered rate, N
# ICMP echo requests to vm3 (which does not answer them) as token frames
# and N as plain frames: the same inner frames, which hv1's NIC
# encapsulates by the offloaded tunnel flow.  Measures what vm3 receives
# (its eth0 counter), per second of sending, and hv1's NIC engine CPU per
# packet (nicsim/show: the NIC's own threads, the 'hardware').  Needs root.

set -o pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
count=20000 rates=20000,50000,100000,150000,200000 payload=56 rounds=3 out=$PWD/token-bench

die() { echo "ovs-offload-token-bench: error: $*" >&2; exit 1; }
say() { echo "ovs-offload-token-bench: $*" >&2; }

while [ $# -gt 0 ]; do
    case $1 in
        --count) count=$2; shift ;;
        --rates) rates=$2; shift ;;
        --payload) payload=$2; shift ;;
        --rounds) rounds=$2; shift ;;
        --out) out=$2; shift ;;
        -h|--help) sed -n '3,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
    shift
done
case $count$rounds$payload in *[!0-9]*) die "--count, --rounds and --payload take numbers" ;; esac
case ,$rates, in *[!0-9,]*|*,,*) die "--rates takes numbers separated by commas" ;; esac
[ "$count" -ge 1 ] && [ "$rounds" -ge 1 ] && [ "$payload" -le 1400 ] \
    || die "--count and --rounds at least 1, --payload at most 1400"
[ "$(id -u)" = 0 ] || die "needs root (namespaces, AF_PACKET)"

build=$("$top/utilities/ovs-offload-build.sh") || exit 1
eval "$(echo "$build" | grep -E '^(BUILDDIR|OVS_SOURCE|OVS_BUILD)=')"
export OVS_SOURCE OVS_BUILD
export PATH=$BUILDDIR/vswitchd-ext:$BUILDDIR/utilities:$OVS_BUILD/utilities:$OVS_BUILD/ovsdb:$PATH
mkdir -p "$out" || die "cannot create $out"

say "setting up the hypervisors (VXLAN overlay, offload on)"
"$top/utilities/ovs-offload-hypervisors.sh" --keep --quick --setups on \
    --overlay vxlan --out "$out/hypervisors" > "$out/hypervisors.log" 2>&1 \
    || die "hypervisors set-up failed (see $out/hypervisors.log)"
lab=$(sed -n 's/^ *OVS_RUNDIR=\([^ ]*\)\/hv1 ovs-vsctl show$/\1/p' "$out/hypervisors.log")
tag=$(sed -n 's/^ *ip netns exec \([^ ]*\)-vm1 ping .*/\1/p' "$out/hypervisors.log")
[ -d "$lab" ] && [ -n "$tag" ] || die "no lab in $out/hypervisors.log"
trap '"$lab/teardown.sh" >/dev/null 2>&1' EXIT

hv1() { OVS_RUNDIR=$lab/hv1 ovs-appctl -t ovs-vswitchd-offload "$@"; }
in_ns() { local ns=$1; shift; ip netns exec "$tag-$ns" "$@"; }
mac_of() { in_ns "$1" cat "/sys/class/net/$2/address"; }
ip_of() { in_ns "$1" ip -4 -o addr show "$2" | awk '{print $4}' | cut -d/ -f1; }
rx_vm3() { in_ns vm3 cat /sys/class/net/eth0/statistics/rx_packets; }
# hv1's NIC engines: "CPU-NS PACKETS" summed.
engines() {
    hv1 nicsim/show --format json hv1 | python3 -c '
import json, sys
n = json.load(sys.stdin)[0]
print(sum(e["cpu_ns"] for e in n["engines"]),
      sum(e["packets"] for e in n["engines"]))'
}

vm1_mac=$(mac_of vm1 eth0) vm3_mac=$(mac_of vm3 eth0)
vm1_ip=$(ip_of vm1 eth0) vm3_ip=$(ip_of vm3 eth0)
hv1_ip=$(ip_of hv1 br-phy) hv2_ip=$(ip_of hv2 br-phy)
hv1_mac=$(mac_of hv1 br-phy) hv2_mac=$(mac_of hv2 br-phy)
in_ns vm3 sysctl -qw net.ipv4.icmp_echo_ignore_all=1 \
    || die "cannot silence vm3's echo replies"

key=$(ovs-offload-token genkey) || die "genkey failed"
echo "1 $key" > "$out/keys"
hv1 nicsim/set-underlay hv1 uplink=uplink0 mac=$hv1_mac nexthop=$hv2_mac \
    ip=$hv1_ip >/dev/null || die "set-underlay failed"
hv1 nicsim/add-key hv1 1 $key >/dev/null || die "add-key failed"
# vm1 is VF 0 of hv1 (the demo's order).
token=$(ovs-offload-token mint --key-file="$out/keys" --key-id=1 \
            --remote=$hv2_ip --vni=100 --type=vxlan --mac=$vm3_mac \
            --ip=$vm3_ip --vf=0 --lifetime=3600) || die "mint failed"
inner=$(python3 - "$top/tests" "$vm1_mac" "$vm3_mac" "$vm1_ip" "$vm3_ip" \
             "$payload" <<'EOF'
import struct, sys
sys.path.insert(0, sys.argv[1])
from offload_packets import csum
src, dst, sip, dip, n = sys.argv[2:7]
ip4 = lambda a: bytes(int(x) for x in a.split("."))
icmp = struct.pack("!BBHHH", 8, 0, 0, 0x7e57, 1) + bytes(int(n))
icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 0, 0x4000, 64,
                 1, 0, ip4(sip), ip4(dip))
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
mac = lambda m: bytes(int(x, 16) for x in m.split(":"))
print((mac(dst) + mac(src) + b"\x08\x00" + ip + icmp).hex())
EOF
) || die "no inner frame"

# One measurement: KIND (token or plain) at RATE.  Prints "SECS DELIVERED
# NS-PER-PACKET".
measure() {
    local kind=$1 rate=$2 flag= r0 r1 e0 e1 secs last
    [ "$kind" = plain ] && flag=--plain
    r0=$(rx_vm3); e0=$(engines)
    secs=$(in_ns vm1 ovs-offload-token send eth0 $token $inner \
               --count=$count --rate=$rate $flag | sed -n 's/.* in \([0-9.]*\) s$/\1/p')
    [ -n "$secs" ] || die "send failed"
    # Settled: vm3's counter still for 300 ms.
    r1=$(rx_vm3)
    while sleep 0.3; last=$r1; r1=$(rx_vm3); [ "$r1" != "$last" ]; do :; done
    e1=$(engines)
    python3 - "$secs" "$r0" "$r1" "$e0" "$e1" <<'EOF'
import sys
secs, r0, r1 = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
c0, p0 = map(int, sys.argv[4].split())
c1, p1 = map(int, sys.argv[5].split())
print(secs, r1 - r0, (c1 - c0) / max(1, p1 - p0))
EOF
}

say "warming up (the plain flow's NIC rule, the token path)"
count_saved=$count count=500
measure plain 5000 >/dev/null
measure token 5000 >/dev/null
count=$count_saved

say "measuring: $count frames per run, rates $rates, $rounds rounds"
results=$out/token-bench.raw
: > "$results"
for rate in ${rates//,/ }; do
    for round in $(seq $rounds); do
        for kind in plain token; do
            echo "$rate $kind $(measure $kind $rate)" >> "$results"
        done
    done
done

python3 - "$results" "$count" "$out" "$(uptime)" <<'EOF'
import json, statistics, sys
path, count, out, load = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rows = {}
for line in open(path):
    rate, kind, secs, got, ns = line.split()
    rows.setdefault((int(rate), kind), []).append(
        (float(secs), int(got), float(ns)))
table, text = [], []
text.append("%9s %6s %11s %10s %14s %12s" % (
    "offered", "kind", "delivered", "loss", "delivered/s", "NIC ns/pkt"))
for (rate, kind), runs in sorted(rows.items(), key=lambda x: (x[0][0] or
                                                            1e12, x[0][1])):
    got = statistics.median(r[1] for r in runs)
    secs = statistics.median(r[0] for r in runs)
    ns = statistics.median(r[2] for r in runs)
    pps = got / secs if secs else 0
    table.append({"offered_pps": rate, "kind": kind, "frames": count,
                  "delivered": got, "loss": 1 - got / count,
                  "delivered_pps": pps, "nic_ns_per_packet": ns,
                  "runs": runs})
    text.append("%9s %6s %11d %9.2f%% %14.0f %12.1f" % (
        rate or "max", kind, got, 100 * (1 - got / count), pps, ns))
for rate in sorted({r for r, _ in rows}, key=lambda r: r or 1e12):
    p = [t for t in table if t["offered_pps"] == rate]
    pl = next(t for t in p if t["kind"] == "plain")
    tk = next(t for t in p if t["kind"] == "token")
    text.append("%s: token/plain delivered %.2fx, NIC CPU per packet %.2fx"
                % (rate or "max", tk["delivered_pps"] / max(1, pl["delivered_pps"]),
                   tk["nic_ns_per_packet"] / max(1, pl["nic_ns_per_packet"])))
text.append("load: " + load.strip())
open(out + "/token-bench.txt", "w").write("\n".join(text) + "\n")
json.dump({"rows": table, "load": load.strip()},
          open(out + "/token-bench.json", "w"), indent=1)
print("\n".join(text))
EOF
