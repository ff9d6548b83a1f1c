#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ovs-offload-bench-cpu.sh -- host work per packet with offload off and on,
# for the same offered traffic: the packets dpif-netdev itself counts
# (dpif-netdev/pmd-stats-show) and the CPU time of ovs-vswitchd-offload's
# host threads (every thread but the NIC's engines, from /proc).  nicsim
# ports are polled by the main thread, for which dpif-netdev keeps packet
# counters but no cycle counters (it keeps those for PMD threads only).
#
# Also the CPU time of the NIC's engine threads per byte with offload on,
# against the host's (stock OVS datapath's) CPU time per byte with offload
# off, in the same run: what a byte costs the software NIC against what it
# costs OVS (the engines' time includes the generator making the frames).
#
# Usage: ovs-offload-bench-cpu.sh [--seconds N] [--pps N] [--flows N]
#                                 [--json FILE] [--schema FILE]
#
#   --seconds N   measuring time per set-up (default 5)
#   --pps N       offered load, packets per second into one VF (default
#                 200000), 64-byte UDP frames from nicsim's generator
#   --flows N     distinct flows in that traffic (default 64)
#   --json FILE   also write the figures as JSON
#
# The OVS tools and ovs-vswitchd-offload are taken from $PATH.  Needs root
# (the userspace datapath's bridge port is a tap device).

set -o pipefail

seconds=5 pps=200000 flows=64 json= 
schema=${OVS_SOURCE:+$OVS_SOURCE/vswitchd/vswitch.ovsschema}
# The extension's own Offload database, served beside Open_vSwitch.
offload_schema=$(cd "$(dirname "$0")/.." && pwd)/ovsdb-schema/offload.ovsschema

die() { echo "ovs-offload-bench-cpu: error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case $1 in
        --seconds) seconds=$2; shift ;;
        --pps) pps=$2; shift ;;
        --flows) flows=$2; shift ;;
        --json) json=$2; shift ;;
        --schema) schema=$2; shift ;;
        -h|--help) sed -n '3,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
    shift
done
for v in "$seconds" "$pps" "$flows"; do
    case $v in ''|*[!0-9]*|0) die "--seconds, --pps and --flows want positive numbers" ;; esac
done
[ "$(id -u)" = 0 ] || die "must run as root"
[ -f "$schema" ] || die "no OVS schema; set OVS_SOURCE or pass --schema"
[ -f "$offload_schema" ] || die "no Offload schema at $offload_schema"
for tool in ovsdb-tool ovsdb-server ovs-vsctl ovs-appctl ovs-ofctl \
            ovs-vswitchd-offload python3; do
    command -v $tool >/dev/null || die "$tool is not in PATH"
done

dir=$(mktemp -d /tmp/ovs-offload-bench-cpu.XXXXXX) || die "mktemp failed"
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir OVS_SYSCONFDIR=$dir
appctl() { ovs-appctl -t ovs-vswitchd-offload "$@"; }
stop() {
    ovs-appctl -t ovs-vswitchd-offload exit --cleanup >/dev/null 2>&1
    ovs-appctl -t ovsdb-server exit >/dev/null 2>&1
    sleep 0.2
    for p in "$dir"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done
    true
}
trap 'stop; rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM

# Prints the CPU time (clock ticks) of the daemon's threads that are not
# the NIC's engines: what the host spends.
host_ticks() {
    local pid=$1 total=0 t
    for t in /proc/$pid/task/*; do
        case "$(cat $t/comm 2>/dev/null)" in nicsim_engine*) continue ;; esac
        set -- $(sed 's/^.*) //' $t/stat 2>/dev/null)
        total=$((total + ${12:-0} + ${13:-0}))
    done
    echo $total
}

# The same for the NIC's engine threads.
engine_ticks() {
    local pid=$1 total=0 t
    for t in /proc/$pid/task/*; do
        case "$(cat $t/comm 2>/dev/null)" in
            nicsim_engine*) ;;
            *) continue ;;
        esac
        set -- $(sed 's/^.*) //' $t/stat 2>/dev/null)
        total=$((total + ${12:-0} + ${13:-0}))
    done
    echo $total
}

nicsim_rx() {
    appctl nicsim/show --format json | python3 -c '
import json, sys
nic = json.load(sys.stdin)[0]
port = [p for p in nic["ports"] if p["port"] == "vf0"][0]
print(port["rx_packets"], port["forwarded"], sum(port["to_host"].values()),
      sum(port["dropped"].values()), port["rx_bytes"])'
}

# Packets and upcalls dpif-netdev counted, over all its threads.
dp_packets() {
    appctl dpif-netdev/pmd-stats-show | python3 -c '
import re, sys
text = sys.stdin.read()
pkts = sum(int(x) for x in re.findall(r"packets received: (\d+)", text))
upc = sum(int(x) for x in re.findall(r"miss with success upcall: (\d+)", text))
print(pkts, upc)'
}

run() {
    local mode=$1
    rm -f "$dir"/*.db "$dir"/*.log
    ovsdb-tool create "$dir/conf.db" "$schema" || die "ovsdb-tool failed"
    ovsdb-tool create "$dir/offload.db" "$offload_schema" \
        || die "ovsdb-tool failed"
    ovsdb-server --detach --no-chdir --pidfile --log-file \
        --remote=punix:"$dir/db.sock" "$dir/conf.db" "$dir/offload.db" \
        2>/dev/null \
        || die "ovsdb-server did not start"
    ovs-vsctl --no-wait init
    ovs-vsctl --no-wait set Open_vSwitch . other_config:hw-offload=$mode
    ovs-vswitchd-offload --detach --no-chdir --pidfile --log-file \
        2>/dev/null || die "ovs-vswitchd-offload did not start"
    ovs-vsctl add-br br0 -- set bridge br0 datapath_type=netdev \
        -- add-port br0 pf0 -- set Interface pf0 type=nicsim \
             options:nic=nic0 options:role=uplink options:medium=none \
        -- add-port br0 vm0 -- set Interface vm0 type=nicsim \
             options:nic=nic0 options:role=vf options:vf=0 \
             options:medium=gen:$flows,64,$pps || die "ovs-vsctl failed"
    ovs-ofctl add-flow br0 in_port=vm0,actions=output:pf0
    sleep 2                             # Flows set up, rules in.
    local pid; pid=$(cat "$dir/ovs-vswitchd-offload.pid")
    appctl dpif-netdev/pmd-stats-clear >/dev/null
    local rx0 t0 c0 b0 e0
    read -r rx0 _ _ _ b0 < <(nicsim_rx)
    t0=$(host_ticks $pid)
    e0=$(engine_ticks $pid)
    sleep "$seconds"
    local rx1 fwd host drop t1 dpkts upcalls b1 e1
    read -r rx1 fwd host drop b1 < <(nicsim_rx)
    t1=$(host_ticks $pid)
    e1=$(engine_ticks $pid)
    read -r dpkts upcalls < <(dp_packets)
    local offloaded
    offloaded=$(appctl offload/flows offloaded | grep -c ufid || true)
    echo "$mode $((rx1 - rx0)) $dpkts $upcalls $((t1 - t0)) $offloaded" \
         "$((b1 - b0)) $((e1 - e0))"
    stop
}

echo "ovs-offload-bench-cpu: $pps packets/s over $flows flows into vf0," \
     "forwarded to the uplink, $seconds s per set-up"
off=$(run false) || exit 1
on=$(run true) || exit 1
python3 - "$off" "$on" "$seconds" "$(getconf CLK_TCK)" "$json" <<'PY'
import json, sys
off, on = (s.split() for s in sys.argv[1:3])
seconds, hz, path = float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
rows = {}
for name, r in (("offload off", off), ("offload on", on)):
    offered, dp_pkts, upcalls, ticks, offloaded, nbytes, eticks = \
        map(int, r[1:])
    rows[name] = {
        "offered_bytes": nbytes,
        "host_cpu_ns_per_byte": ticks / hz * 1e9 / nbytes if nbytes else 0,
        "engine_cpu_seconds": eticks / hz,
        "engine_cpu_ns_per_byte": (eticks / hz * 1e9 / nbytes
                                   if nbytes else 0),
        "offered_packets": offered,
        "host_datapath_packets": dp_pkts,
        "upcalls": upcalls,
        "host_packets_per_offered": dp_pkts / offered if offered else 0,
        "host_cpu_seconds": ticks / hz,
        "host_cpu_ns_per_packet": ticks / hz * 1e9 / offered if offered else 0,
        "offloaded_flows": offloaded,
    }
print("%-12s | %10s %10s %8s %10s %10s %9s" % (
    "set-up", "offered", "host pkts", "upcalls", "host/off'd",
    "host CPU s", "ns/pkt"))
for name, r in rows.items():
    print("%-12s | %10d %10d %8d %10.4f %10.2f %9.1f" % (
        name, r["offered_packets"], r["host_datapath_packets"], r["upcalls"],
        r["host_packets_per_offered"], r["host_cpu_seconds"],
        r["host_cpu_ns_per_packet"]))
a, b = rows["offload off"], rows["offload on"]
ratio = lambda x, y: (x / y) if y else float("inf")
print("off/on: host CPU per packet %.1fx lower with offload; "
      "dpif-netdev handled %.4f%% of the packets with offload on" % (
          ratio(a["host_cpu_ns_per_packet"], b["host_cpu_ns_per_packet"]),
          100 * b["host_packets_per_offered"]))
nic, ovs = b["engine_cpu_ns_per_byte"], a["host_cpu_ns_per_byte"]
print("per byte: NIC engines (offload on) %.3f ns, stock OVS datapath "
      "(offload off, host) %.3f ns: %.2fx (target at most 0.5x)" % (
          nic, ovs, ratio(nic, ovs)))
rows["nic_engine_vs_ovs_cpu_per_byte"] = ratio(nic, ovs)
print("(offered = packets the NIC received in the window; host pkts = what "
      "dpif-netdev handled;\n the NIC's engine threads are not host CPU)")
if path:
    with open(path, "w") as f:
        json.dump({"seconds": seconds, "rows": rows}, f, indent=2)
PY
