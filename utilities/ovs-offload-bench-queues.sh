#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ovs-offload-bench-queues.sh -- receive queue isolation on real traffic:
# one VM flooded while another receives a steady ping, both through the
# host path (hw-offload off), with the two VMs on receive queues of their
# own (the queue manager's assignment) against both on one shared queue,
# in the same run: loss and p50/p99 latency of the steady VM.
#
# Usage: ovs-offload-bench-queues.sh [--pings N] [--rate BITS] [--len BYTES]
#                                    [--rounds N] [--maxsleep US]
#                                    [--json FILE]
#
#   --pings N      pings per case, 10 ms apart (default 1000)
#   --rate BITS    the flood's iperf3 -u rate, e.g. 200M; 0: unlimited
#                  (default 0)
#   --len BYTES    the flood's UDP payload (default 64)
#   --rounds N     alternate own/shared N times (default 2)
#   --maxsleep US  other_config:pmd-maxsleep (default 1000)
#   --json FILE    also write the figures as JSON
#   --keep         keep the run's directory (logs, ping and iperf3 output)
#
# Three namespaces on veth: VM a and VM b behind nicsim VFs, "wire" behind
# the uplink pf0 (type nicsim-pmd, 3 receive queues: queue 0 the default
# group, 1 and 2 dedicatable; pmd-cpu-mask 0x3, pmd-rxq-affinity 0:0,1:0,
# 2:1, so that the two dedicated queues are polled by different PMDs and
# the default queue by the PMD of queue 1).  The wire floods VM a with
# iperf3 -u and pings VM b.  "own": the queue manager (policy value) has
# given a and b a queue each; "shared": both are queue_never, on queue 0.
# Needs root; the OVS tools, ovs-vswitchd-offload, iperf3, ping and ethtool
# are taken from $PATH, the OVS schema from $OVS_SOURCE (or --schema).

set -o pipefail

pings=1000 rate=0 len=64 rounds=2 maxsleep=1000 json= keep=
schema=${OVS_SOURCE:+$OVS_SOURCE/vswitchd/vswitch.ovsschema}
offload_schema=$(cd "$(dirname "$0")/.." && pwd)/ovsdb-schema/offload.ovsschema

die() { echo "ovs-offload-bench-queues: error: $*" >&2; exit 1; }
skip() { echo "ovs-offload-bench-queues: skipped: $*" >&2; exit 77; }

while [ $# -gt 0 ]; do
    case $1 in
        --pings) pings=$2; shift ;;
        --rate) rate=$2; shift ;;
        --len) len=$2; shift ;;
        --rounds) rounds=$2; shift ;;
        --maxsleep) maxsleep=$2; shift ;;
        --json) json=$2; shift ;;
        --keep) keep=1 ;;
        --schema) schema=$2; shift ;;
        -h|--help) sed -n '3,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
    shift
done
for v in "$pings" "$len" "$rounds"; do
    case $v in
        ''|*[!0-9]*|0)
            die "--pings, --len and --rounds want positive numbers" ;;
    esac
done
case $maxsleep in
    ''|*[!0-9]*) die "--maxsleep wants a number of microseconds" ;;
esac
case $rate in
    ''|*[!0-9KMG]*) die "--rate wants bits per second (e.g. 200M, 0)" ;;
esac
[ "$(id -u)" = 0 ] || skip "must run as root (network namespaces)"
ip netns list >/dev/null 2>&1 || skip "no network namespaces here"
[ -f "$schema" ] || die "no OVS schema; set OVS_SOURCE or pass --schema"
[ -f "$offload_schema" ] || die "no Offload schema at $offload_schema"
for tool in ovsdb-tool ovsdb-server ovs-vsctl ovs-appctl ovs-ofctl \
            ovs-vswitchd-offload ovs-offloadctl iperf3 ping ethtool \
            python3 ip; do
    command -v $tool >/dev/null || die "$tool is not in PATH"
done

dir=$(mktemp -d /tmp/ovs-offload-bench-queues.XXXXXX) || die "mktemp failed"
# Private names: other jobs on the machine run bridges and namespaces too.
p=oqb$$
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir OVS_SYSCONFDIR=$dir
appctl() { ovs-appctl -t "$dir/ovs-vswitchd.ctl" "$@"; }
pids=
cleanup() {
    for pid in $pids; do kill $pid 2>/dev/null; done
    [ -S "$dir/ovs-vswitchd.ctl" ] && appctl exit --cleanup >/dev/null 2>&1
    ovs-appctl -t ovsdb-server exit >/dev/null 2>&1
    for f in "$dir"/*.pid; do
        [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
    done
    for n in a b w; do
        ip netns del $p-$n 2>/dev/null
        ip link del ${p}$n 2>/dev/null
    done
    if [ -n "$keep" ]; then
        echo "ovs-offload-bench-queues: kept $dir" >&2
    else
        rm -rf "$dir"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mac_a=50:54:00:9a:00:01 mac_b=50:54:00:9a:00:02 mac_w=50:54:00:9a:00:fe
ip_a=10.197.0.1 ip_b=10.197.0.2 ip_w=10.197.0.100
for n in a b w; do
    eval mac=\$mac_$n ip=\$ip_$n
    ip netns add $p-$n || die "ip netns add failed"
    ip netns exec $p-$n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1
    ip link add ${p}$n type veth peer name eth0 netns $p-$n \
        || die "ip link add failed"
    ip -n $p-$n link set eth0 address $mac
    ip -n $p-$n addr add $ip/24 dev eth0
    ip -n $p-$n link set eth0 up
    ip -n $p-$n link set lo up
    # Checksums filled in by the sender: nicsim sees frames as on a wire.
    ip netns exec $p-$n ethtool -K eth0 tx off >/dev/null 2>&1
    ip link set ${p}$n up
done

ovsdb-tool create "$dir/conf.db" "$schema" || die "ovsdb-tool failed"
ovsdb-tool create "$dir/offload.db" "$offload_schema" \
    || die "ovsdb-tool failed"
ovsdb-server --detach --no-chdir --pidfile --log-file \
    --remote=punix:"$dir/db.sock" "$dir/conf.db" "$dir/offload.db" \
    2>/dev/null || die "ovsdb-server did not start"
ovs-vsctl --no-wait init
# The host path only: no NIC rules, every frame a miss to the host.
ovs-vsctl --no-wait set Open_vSwitch . other_config:hw-offload=false \
    other_config:pmd-cpu-mask=0x3 other_config:pmd-maxsleep=$maxsleep
ovs-vswitchd-offload --detach --no-chdir --pidfile="$dir/ovs-vswitchd.pid" \
    --unixctl="$dir/ovs-vswitchd.ctl" --log-file="$dir/vswitchd.log" \
    2>/dev/null || die "ovs-vswitchd-offload did not start"
ovs-vsctl add-br b$p -- set bridge b$p datapath_type=netdev \
    -- add-port b$p pf0 -- set Interface pf0 type=nicsim-pmd \
         options:nic=nic0 options:role=uplink options:n_rxq=3 \
         options:medium=afpacket:${p}w \
         other_config:pmd-rxq-affinity=0:0,1:0,2:1 \
    -- add-port b$p vma -- set Interface vma type=nicsim options:nic=nic0 \
         options:role=vf options:vf=1 options:medium=afpacket:${p}a \
         external_ids:vm-id=vma external_ids:attached-mac=\"$mac_a\" \
    -- add-port b$p vmb -- set Interface vmb type=nicsim options:nic=nic0 \
         options:role=vf options:vf=2 options:medium=afpacket:${p}b \
         external_ids:vm-id=vmb external_ids:attached-mac=\"$mac_b\" \
    || die "ovs-vsctl failed"
ovs-ofctl add-flow b$p actions=NORMAL || die "ovs-ofctl failed"
wait_until() {
    local i
    for i in $(seq 300); do
        eval "$1" && return 0
        sleep 0.1
    done
    return 1
}
wait_until "ovs-offloadctl get NIC nic0 name >/dev/null 2>&1" \
    || die "the daemon did not publish nic0 in the Offload database"
# Rounds only on offload/queues-rebalance (the interval is a minute), every
# packet counts, no holding and no idle reclaim while a case runs.
ovs-offloadctl set Offload . queue_policy=value queue_interval=60000 \
    queue_min_pps=0.01 queue_hold_time=0 queue_idle_time=3600000 \
    -- set NIC nic0 queues=3 queue_default=1 \
    -- --id=@a create Port name=vma -- --id=@b create Port name=vmb \
    -- add Offload . ports @a @b >/dev/null || die "ovs-offloadctl failed"
n_pf0_rxq() { appctl dpif-netdev/pmd-rxq-show | grep -c 'port: pf0 '; }
wait_until 'test "$(n_pf0_rxq)" = 3' \
    || die "the PMD threads do not poll pf0's 3 queues"

for n in a b; do
    eval ip=\$ip_$n
    ip netns exec $p-w ping -q -c 3 -i 0.1 -W 1 $ip >/dev/null \
        || die "no connectivity from the wire to VM $n"
done

# assignment: "Q=OWNER ..." of pf0 from offload/queues.
assignment() {
    appctl offload/queues --format json | python3 -c '
import json, sys
p = json.load(sys.stdin)["ports"][0]
print(" ".join("%d=%s" % (q["queue"], q.get("vm", q["owner"]))
               for q in p["queues"]))'
}

# set_case own|shared: the assignment, waited for.  "shared": both VMs
# queue_never, and filters (above the queue manager's priority 100 for a
# VM's MAC) steering both to queue 0: a VM without a queue is otherwise
# spread by RSS over all of the uplink's queues, the dedicated ones too.
shared_filters=
set_case() {
    local never=false want id n
    [ $1 = shared ] && never=true
    ovs-offloadctl set Port vma queue_never=$never \
        -- set Port vmb queue_never=$never || die "ovs-offloadctl failed"
    for id in $shared_filters; do
        appctl nicsim/del-filter nic0 uplink0 $id >/dev/null \
            || die "nicsim/del-filter failed"
    done
    shared_filters=
    if [ $1 = shared ]; then
        for n in a b; do
            eval mac=\$mac_$n
            id=$(appctl nicsim/add-filter nic0 uplink0 priority=150 \
                 dl_dst=$mac 0) || die "nicsim/add-filter failed"
            shared_filters="$shared_filters $id"
        done
    fi
    for i in $(seq 50); do
        # Traffic for the rates the round decides on.
        ip netns exec $p-w ping -q -c 5 -i 0.01 -W 1 $ip_a >/dev/null
        ip netns exec $p-w ping -q -c 5 -i 0.01 -W 1 $ip_b >/dev/null
        appctl offload/queues-rebalance >/dev/null
        want=$(assignment)
        case $1:$want in
            own:*1=vm?*2=vm?*) echo "$want"; return 0 ;;
            shared:*0=default*1=free*2=free*)
                echo "$want (both on queue 0 by filter)"; return 0 ;;
        esac
        sleep 0.2
    done
    die "no $1 assignment: $(assignment)"
}

# qdrops: the NIC's drops on each of pf0's receive queues (queue full:
# the PMD polling it did not keep up), "D0 D1 D2".
qdrops() {
    appctl nicsim/show --format json | python3 -c '
import json, sys
for nic in json.load(sys.stdin):
    for port in nic["ports"]:
        if port["port"] == "uplink0":
            print(" ".join(str(q["drops"]) for q in port["rx_queues"]))'
}

# nicdrops: every NIC drop counter, "PORT.REASON=N ..." (where the frames
# the queues did not lose went: the medium, the engine, the host queues).
nicdrops() {
    appctl nicsim/show --format json | python3 -c '
import json, sys
print(" ".join("%s.%s=%d" % (port["port"], k, v)
               for nic in json.load(sys.stdin) for port in nic["ports"]
               for k, v in sorted(port["dropped"].items())))'
}

results=$dir/results
: > "$results"
port=5300
for r in $(seq $rounds); do
    for c in own shared; do
        # Not in $(): set_case keeps its filters' ids.
        set_case $c > "$dir/queues"
        queues=$(cat "$dir/queues")
        port=$((port + 1))
        ip netns exec $p-a iperf3 -s -1 -p $port > "$dir/iperf-s.out" 2>&1 &
        srv=$!
        pids="$pids $srv"
        wait_until "ip netns exec $p-a ss -lnt | grep -q ':$port '" \
            || die "iperf3 server did not start"
        d0=$(qdrops) n0=$(nicdrops)
        secs=$((pings / 100 + 4))
        ip netns exec $p-w iperf3 -c $ip_a -p $port -u -b $rate -l $len \
            -t $secs --json > "$dir/iperf-c.json" 2>&1 &
        cli=$!
        pids="$pids $cli"
        sleep 2
        ip netns exec $p-w ping -n -i 0.01 -c $pings -W 1 $ip_b \
            > "$dir/ping.out" 2>&1
        cp "$dir/ping.out" "$dir/ping-$c-$r.out"
        wait $cli
        wait $srv
        pids=
        d1=$(qdrops) n1=$(nicdrops)
        python3 - "$c" "$r" "$queues" "$dir/ping.out" "$dir/iperf-c.json" \
            "$pings" "$d0" "$d1" "$n0" "$n1" >> "$results" <<'PY' \
            || die "could not read the results"
import json, re, sys
case, rnd, queues, ping, iperf, n, d0, d1, n0, n1 = sys.argv[1:11]
n0 = dict(kv.split("=") for kv in n0.split())
nic_drops = dict((k, int(v) - int(n0.get(k, 0)))
                 for k, v in (kv.split("=") for kv in n1.split())
                 if int(v) != int(n0.get(k, 0)))
drops = [b - a for a, b in zip(map(int, d0.split()), map(int, d1.split()))]
rtts = [float(m.group(1)) for m in
        re.finditer(r"icmp_seq=\d+ .*time=([0-9.]+) ms", open(ping).read())]
seqs = set(re.findall(r"icmp_seq=(\d+) ", open(ping).read()))
try:
    end = json.load(open(iperf))["end"]["sum"]
    flood_pps = end["packets"] / end["seconds"]
    flood_mbps = end["bits_per_second"] / 1e6
    flood_loss = end.get("lost_percent", 0.0)
except (ValueError, KeyError):
    flood_pps = flood_mbps = flood_loss = 0
print(json.dumps({"case": case, "round": int(rnd), "queues": queues,
                  "sent": int(n), "received": len(seqs), "rtts_ms": rtts,
                  "flood_sent_pps": flood_pps, "flood_mbps": flood_mbps,
                  "flood_loss_pct": flood_loss,
                  "queue_drops": drops, "nic_drops": nic_drops}))
PY
    done
done
appctl offload/queues > "$dir/queues.txt" 2>&1

# The PMDs' rx queues and the NIC's per-queue drops, for the record.
echo "pf0's receive queues and their PMDs:"
appctl dpif-netdev/pmd-rxq-show | grep -E 'pmd thread|pf0' | sed 's/^/  /'
appctl offload/queues | sed 's/^/  /' | head -20
echo

python3 - "$results" "$json" "$pings" "$rate" "$len" "$maxsleep" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]


def pct(v, q):
    if not v:
        return float("nan")
    v = sorted(v)
    return v[min(len(v) - 1, int(q / 100.0 * len(v)))]


agg = {}
print("%-7s %-5s | %6s %7s %8s %8s %8s | %9s %7s %-14s %s" % (
    "case", "round", "pings", "loss%", "p50 ms", "p99 ms", "max ms",
    "flood pps", "loss%", "q drops 0/1/2", "assignment"))
for r in rows:
    loss = 100.0 * (r["sent"] - r["received"]) / r["sent"]
    print("%-7s %-5d | %6d %7.2f %8.3f %8.3f %8.3f | %9.0f %7.2f %-14s %s" % (
        r["case"], r["round"], r["sent"], loss, pct(r["rtts_ms"], 50),
        pct(r["rtts_ms"], 99), max(r["rtts_ms"] or [float("nan")]),
        r["flood_sent_pps"], r["flood_loss_pct"],
        "/".join(map(str, r["queue_drops"])),
        r["queues"]))
    if r["nic_drops"]:
        print("%-7s %-5s   NIC drops: %s" % ("", "", " ".join(
            "%s=%d" % kv for kv in sorted(r["nic_drops"].items()))))
    a = agg.setdefault(r["case"], {"sent": 0, "received": 0, "rtts": [],
                                   "flood": []})
    a["flood"].append(r["flood_sent_pps"])
    a["sent"] += r["sent"]
    a["received"] += r["received"]
    a["rtts"] += r["rtts_ms"]
print()
summary = {}
for c in ("own", "shared"):
    a = agg[c]
    summary[c] = {"sent": a["sent"], "received": a["received"],
                  "loss_pct": 100.0 * (a["sent"] - a["received"]) / a["sent"],
                  "p50_ms": pct(a["rtts"], 50), "p99_ms": pct(a["rtts"], 99),
                  "flood_pps": sum(a["flood"]) / len(a["flood"])}
    print("%-7s all   | loss %.2f%%  p50 %.3f ms  p99 %.3f ms" % (
        c, summary[c]["loss_pct"], summary[c]["p50_ms"],
        summary[c]["p99_ms"]))
o, s = summary["own"], summary["shared"]
p99_ratio = o["p99_ms"] / s["p99_ms"] if s["p99_ms"] else float("nan")
p50_ratio = o["p50_ms"] / s["p50_ms"] if s["p50_ms"] else float("nan")
met = p99_ratio <= 0.5 and o["loss_pct"] == 0
print("own / shared: p50 %.2fx, p99 %.2fx (target p99 <= 0.5x and no loss "
      "on its own queue: %s)" % (p50_ratio, p99_ratio,
                                 "met" if met else "not met"))
# iperf3 -b 0 sends as fast as its CPU lets it: the cases are comparable
# only if the flood was about as heavy in both.
flood_ratio = (o["flood_pps"] / s["flood_pps"] if s["flood_pps"]
               else float("nan"))
print("flood own / shared: %.2fx%s" % (
    flood_ratio, "" if 0.67 <= flood_ratio <= 1.5 else
    " (the floods differ: the cases are not comparable, run again)"))
print("(%s pings 10 ms apart per case and round; flood iperf3 -u -b %s "
      "-l %s; pmd-maxsleep %s us; the machine may be shared with other "
      "jobs)" % tuple(sys.argv[3:7]))
if sys.argv[2]:
    with open(sys.argv[2], "w") as f:
        json.dump({"pings": int(sys.argv[3]), "rate": sys.argv[4],
                   "len": int(sys.argv[5]), "pmd_maxsleep_us":
                   int(sys.argv[6]), "summary": summary,
                   "p99_ratio": p99_ratio, "p50_ratio": p50_ratio,
                   "flood_ratio": flood_ratio,
                   "target_met": met,
                   "rows": [dict((k, v) for k, v in r.items()
                                 if k != "rtts_ms") for r in rows]},
                  f, indent=2)
PY
