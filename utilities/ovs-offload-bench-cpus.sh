#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ovs-offload-bench-cpus.sh -- the CPU aligner against OVS's pmd-auto-lb on
# real PMD threads: skewed traffic (one elephant flow and many mice) from
# nicsim's generator into a nicsim-pmd uplink whose 2 receive queues are
# polled by 2 PMD threads (pmd-cpu-mask=0x3), first with the aligner
# (cpu_mode=spread) and then, on a fresh daemon with the same traffic,
# with pmd-auto-lb alone.  Each set-up runs --before seconds as OVS
# assigns the queues, then the balancer is turned on for --after seconds.
#
# Figures, from dpif-netdev's own pmd-stats-show (busy / (busy + idle)
# cycles of each PMD, sampled every --sample ms; PMDs never sleep here):
# max/mean load of the 2 PMDs before and at the end, time to converge
# (from turning the balancer on to the start of the first sample window
# from which max/mean stays at most 1.2), the moves, and the packets lost:
# nicsim's counters
# (every packet the uplink received is forwarded, given to the host or
# dropped with a reason: conservation), drops during the balanced phase.
#
# Also, as the packets each PMD was given (the NIC's queue counters, by
# the PMD that pmd-rxq-show says polls each queue): max/mean of those,
# the demand, which does not depend on how much CPU the machine's other
# work leaves the PMDs.  On a shared, loaded machine the busy cycles track
# the scheduler more than the packets; --cost NS then has the aligner take
# its loads from the counters (cpu_packet_cost) instead of the cycles.
#
# Usage: ovs-offload-bench-cpus.sh [--pps N] [--flows N] [--elephant PCT]
#            [--before S] [--after S] [--interval MS] [--threshold X]
#            [--cost NS] [--sample MS] [--json FILE] [--schema FILE]
#
#   --pps N         offered packets per second (default 40000), 64 bytes
#   --flows N       flows of the generator (default 256): flow 0 the
#                   elephant, the others mice spread by RSS
#   --elephant PCT  the elephant's share of the frames (default 50)
#   --before S      seconds before the balancer (default 6)
#   --after S       seconds with it (default 24)
#   --interval MS   the aligner's cpu_interval (default 1000); min move
#                   half of it
#   --threshold X   the aligner's cpu_threshold and pmd-auto-lb's
#                   load threshold (default 0.6)
#   --cost NS       the aligner's cpu_packet_cost (default: none, loads
#                   from dpif-netdev's PMD cycles)
#   --sample MS     sampling period (default 500)
#   --json FILE     also write the figures as JSON
#   --schema FILE   OVS's vswitch.ovsschema (default: from $OVS_SOURCE)
#
# The OVS tools and ovs-vswitchd-offload are taken from $PATH; a dummy
# datapath (no kernel device, no root needed), a private run directory.

set -o pipefail

pps=40000 flows=256 elephant=50 before=6 after=24 interval=1000
threshold=0.6 sample=500 json= cost=
schema=${OVS_SOURCE:+$OVS_SOURCE/vswitchd/vswitch.ovsschema}
offload_schema=$(cd "$(dirname "$0")/.." && pwd)/ovsdb-schema/offload.ovsschema

die() { echo "ovs-offload-bench-cpus: error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case $1 in
        --pps) pps=$2; shift ;;
        --flows) flows=$2; shift ;;
        --elephant) elephant=$2; shift ;;
        --before) before=$2; shift ;;
        --after) after=$2; shift ;;
        --interval) interval=$2; shift ;;
        --threshold) threshold=$2; shift ;;
        --sample) sample=$2; shift ;;
        --cost) cost=$2; shift ;;
        --json) json=$2; shift ;;
        --schema) schema=$2; shift ;;
        -h|--help) sed -n '3,/^$/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
    shift
done
for v in "$pps" "$flows" "$before" "$after" "$interval" "$sample"; do
    case $v in
        ''|*[!0-9]*|0) die "--pps, --flows, --before, --after, --interval" \
                           "and --sample want positive numbers" ;;
    esac
done
case $cost in *[!0-9]*|0) die "--cost wants a positive number of ns" ;; esac
case $elephant in ''|*[!0-9]*) die "--elephant wants 0..100" ;; esac
[ "$elephant" -le 100 ] || die "--elephant wants 0..100"
python3 -c "import sys; t = float(sys.argv[1]); sys.exit(not 0 < t <= 1)" \
    "$threshold" 2>/dev/null || die "--threshold wants a number in (0, 1]"
[ -f "$schema" ] || die "no OVS schema; set OVS_SOURCE or pass --schema"
[ -f "$offload_schema" ] || die "no Offload schema at $offload_schema"
for tool in ovsdb-tool ovsdb-server ovs-vsctl ovs-appctl \
            ovs-vswitchd-offload ovs-offloadctl python3; do
    command -v $tool >/dev/null || die "$tool is not in PATH"
done
[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs for 2 PMD threads"

dir=$(mktemp -d /tmp/ovs-offload-bench-cpus.XXXXXX) || die "mktemp failed"
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir OVS_SYSCONFDIR=$dir
stop() {
    local pids="" p i
    for p in "$dir"/*.pid; do
        [ -f "$p" ] && pids="$pids $(cat "$p" 2>/dev/null)"
    done
    ovs-appctl -t "$dir/vswitchd.ctl" exit >/dev/null 2>&1
    ovs-appctl -t ovsdb-server exit >/dev/null 2>&1
    # A daemon that has not gone within 5 s is said and killed, so that
    # no PMD thread is left spinning (the pidfile goes at exit's start).
    for p in $pids; do
        for i in $(seq 50); do
            kill -0 "$p" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$p" 2>/dev/null; then
            echo "ovs-offload-bench-cpus: pid $p did not exit; killed" >&2
            kill -9 "$p" 2>/dev/null
        fi
    done
    true
}
trap 'stop; rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM

wait_until() {
    local i
    for i in $(seq 300); do
        eval "$1" && return 0
        sleep 0.1
    done
    return 1
}

# run MODE (aligner | autolb): prints the samples' file.
run() {
    local mode=$1 out=$dir/$1.samples
    rm -f "$dir"/*.db "$dir"/*.log
    ovsdb-tool create "$dir/conf.db" "$schema" || die "ovsdb-tool failed"
    ovsdb-tool create "$dir/offload.db" "$offload_schema" \
        || die "ovsdb-tool failed"
    ovsdb-server --detach --no-chdir --pidfile --log-file \
        --remote=punix:"$dir/db.sock" "$dir/conf.db" "$dir/offload.db" \
        2>/dev/null || die "ovsdb-server did not start"
    ovs-vsctl --no-wait init
    ovs-vsctl --no-wait set Open_vSwitch . other_config:pmd-cpu-mask=0x3 \
        || die "ovs-vsctl failed"
    ovs-vswitchd-offload --enable-dummy --disable-system --detach --no-chdir \
        --pidfile="$dir/vswitchd.pid" --unixctl="$dir/vswitchd.ctl" \
        --log-file="$dir/vswitchd-$mode.log" 2>/dev/null \
        || die "ovs-vswitchd-offload did not start"
    ovs-vsctl add-br bcpus -- set bridge bcpus datapath_type=dummy \
        -- add-port bcpus pf0 -- set Interface pf0 type=nicsim-pmd \
             options:nic=nic0 options:role=uplink options:n_rxq=2 \
             options:medium=gen:$flows,64,$pps,$elephant \
        || die "ovs-vsctl failed"
    wait_until "ovs-offloadctl get NIC nic0 name >/dev/null 2>&1" \
        || die "the daemon did not publish nic0 in the Offload database"
    wait_until "[ \$(ovs-appctl -t $dir/vswitchd.ctl \
                   dpif-netdev/pmd-rxq-show | grep -c 'port: pf0') = 2 ]" \
        || die "pf0's queues are not polled by PMDs"
    python3 - "$dir/vswitchd.ctl" "$mode" "$before" "$after" "$sample" \
        "$interval" "$threshold" "$cost" > "$out" <<'PY' \
        || die "sampling failed"
import json, re, subprocess, sys, time
ctl, mode, before, after, sample, interval, threshold, cost = sys.argv[1:]
before, after, sample = float(before), float(after), int(sample) / 1000

def appctl(*args):
    return subprocess.run(["ovs-appctl", "-t", ctl] + list(args),
                          capture_output=True, text=True, check=True).stdout

def snapshot():
    t = time.monotonic()
    stats = appctl("dpif-netdev/pmd-stats-show")
    pmds = {}
    for m in re.finditer(r"pmd thread numa_id \d+ core_id (\d+):\n"
                         r"((?:  .*\n)*)", stats):
        busy = re.search(r"processing cycles: (\d+)", m.group(2))
        idle = re.search(r"idle cycles: (\d+)", m.group(2))
        pmds[m.group(1)] = (int(busy.group(1)) if busy else 0,
                            int(idle.group(1)) if idle else 0)
    nic = json.loads(appctl("nicsim/show", "--format", "json"))[0]
    port = [p for p in nic["ports"] if p["port"] == "uplink0"][0]
    rxqs = appctl("dpif-netdev/pmd-rxq-show")
    polls = {}
    for m in re.finditer(r"core_id (\d+):\n((?:  .*\n)*)", rxqs):
        for q in re.findall(r"port: pf0\s+queue-id:\s+(\d+)", m.group(2)):
            polls[q] = m.group(1)
    return {"t": t, "pmds": pmds, "rx": port["rx_packets"],
            "fwd": port["forwarded"], "host": sum(port["to_host"].values()),
            "drop": sum(port["dropped"].values()),
            "dropped": port["dropped"],
            "queues": [q["packets"] for q in port["rx_queues"]],
            "polls": polls}

start = time.monotonic()
t_on = None
while True:
    s = snapshot()
    s["t"] -= start
    if t_on is None and s["t"] >= before:
        if mode == "aligner":
            subprocess.run(["ovs-offloadctl", "set", "Offload", ".",
                            "cpu_mode=spread", "cpu_threshold=" + threshold,
                            "cpu_interval=" + interval,
                            "cpu_min_move=%d" % (int(interval) // 2)]
                           + (["cpu_packet_cost=" + cost] if cost else []),
                           check=True)
        else:
            # pmd-auto-lb at its fastest: rebalance interval 1 minute (its
            # unit and minimum), the load threshold as the aligner's.
            subprocess.run(["ovs-vsctl", "set", "Open_vSwitch", ".",
                            "other_config:pmd-auto-lb=true",
                            "other_config:pmd-auto-lb-rebal-interval=1",
                            "other_config:pmd-auto-lb-load-threshold=%d"
                            % round(float(threshold) * 100),
                            "other_config:pmd-auto-lb-improvement-threshold"
                            "=25"], check=True)
        t_on = s["t"]
        s["on"] = True
    print(json.dumps(s), flush=True)
    if s["t"] >= before + after:
        break
    time.sleep(max(0, sample - (time.monotonic() - start - s["t"])))

# Conservation is judged with the generator stopped and the NIC's
# counters standing still: read while frames flow, a port's outcomes are
# counted before its receptions (nicsim folds them in that order), so a
# live sample may show more outcomes than receptions.
subprocess.run(["ovs-vsctl", "set", "Interface", "pf0",
                "options:medium=none"], check=True)
prev = None
for _ in range(100):
    s = snapshot()
    key = (s["rx"], s["fwd"], s["host"], s["drop"])
    if key == prev:
        break
    prev = key
    time.sleep(0.1)
s["t"] -= start
s["final"] = True
print(json.dumps(s), flush=True)
PY
    if [ $mode = aligner ]; then
        grep -h 'CPU re-distribution\|steered to queue\|queue filter removed' \
            "$dir/vswitchd-$mode.log" | sed 's/^[^|]*|[^|]*|[^|]*|[^|]*|/  /' \
            > "$dir/$mode.moves"
    else
        grep -h 'auto load balance\|rebalanc\|Performing pmd to rx queue' \
            "$dir/vswitchd-$mode.log" | sed 's/^[^|]*|[^|]*|[^|]*|[^|]*|/  /' \
            > "$dir/$mode.moves"
    fi
    stop
    sleep 0.5
}

src="PMD cycles"
[ -n "$cost" ] && src="the counters x $cost ns"
echo "ovs-offload-bench-cpus: $pps packets/s, $flows flows, elephant" \
     "$elephant %, 2 rx queues on 2 PMDs; balancer on after $before s," \
     "measured for $after s more; aligner loads from" \
     "$src, threshold" \
     "$threshold; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
run aligner
run autolb
python3 - "$dir" "$json" "$interval" <<'PY'
import json, sys
d, path, interval = sys.argv[1], sys.argv[2], int(sys.argv[3])
result = {}
for mode, name in (("aligner", "aligner (cpu_mode=spread)"),
                   ("autolb", "OVS pmd-auto-lb alone")):
    samples = [json.loads(l) for l in open("%s/%s.samples" % (d, mode))]
    quiet = [x for x in samples if x.get("final")]
    samples = [x for x in samples if not x.get("final")]
    rows = []
    for a, b in zip(samples, samples[1:]):
        loads = []
        for core in sorted(b["pmds"]):
            if core not in a["pmds"]:
                continue
            busy = b["pmds"][core][0] - a["pmds"][core][0]
            idle = b["pmds"][core][1] - a["pmds"][core][1]
            loads.append(busy / (busy + idle) if busy + idle > 0 else 0)
        mean = sum(loads) / len(loads) if loads else 0
        # Packets per PMD: the queues each PMD polled at the window's end.
        qd = [y - x for x, y in zip(a["queues"], b["queues"])]
        per = {}
        for q, n in enumerate(qd):
            core = b["polls"].get(str(q))
            per[core] = per.get(core, 0) + n
        shares = [per.get(c, 0) for c in sorted(b["pmds"])]
        smean = sum(shares) / len(shares) if shares else 0
        rows.append({"t": b["t"], "t0": a["t"], "on": b.get("on", False),
                     "pratio": max(shares) / smean if smean else 0,
                     "ratio": max(loads) / mean if mean else 0,
                     "loads": loads, "max": max(loads) if loads else 0,
                     "mean": mean, "drop": b["drop"] - a["drop"],
                     "rx": b["rx"] - a["rx"],
                     "queues": [y - x for x, y in zip(a["queues"],
                                                      b["queues"])],
                     "polls": b["polls"]})
    t_on = next(r["t"] for r in rows if r["on"])
    pre = [r for r in rows if r["t"] <= t_on and r["t"] > 1.0]
    end = rows[-1]["t"]
    last = [r for r in rows if r["t"] > end - 5]
    post = [r for r in rows if r["t"] > t_on]
    def converged(key):
        for i, r in enumerate(post):
            if all(x[key] <= 1.2 for x in post[i:]):
                return max(0, r["t0"] - t_on)
        return None
    conv = converged("ratio")
    pconv = converged("pratio")
    avg = lambda rs, k: sum(r[k] for r in rs) / len(rs) if rs else 0
    first, final = samples[0], samples[-1]
    q = quiet[-1] if quiet else final
    conserved = q["rx"] == q["fwd"] + q["host"] + q["drop"]
    lost_on = sum(r["drop"] for r in post)
    result[mode] = {
        "name": name,
        "before_max_mean": avg(pre, "ratio"),
        "before_loads": [sum(r["loads"][i] for r in pre) / len(pre)
                         for i in range(len(pre[0]["loads"]))] if pre else [],
        "after_max_mean": avg(last, "ratio"),
        "after_loads": [sum(r["loads"][i] for r in last) / len(last)
                        for i in range(len(last[0]["loads"]))] if last else [],
        "converged_s": conv,
        "demand_before_max_mean": avg(pre, "pratio"),
        "demand_after_max_mean": avg(last, "pratio"),
        "demand_converged_s": pconv,
        "converged_intervals": conv / (interval / 1000) if conv is not None
                               else None,
        "packets": final["rx"] - first["rx"],
        "dropped_while_on": lost_on,
        "drop_rate_before": (sum(r["drop"] for r in pre)
                             / max(1, sum(r["rx"] for r in pre))),
        "drop_rate_on": (sum(r["drop"] for r in post)
                         / max(1, sum(r["rx"] for r in post))),
        "dropped_total": final["drop"] - first["drop"],
        "drop_reasons": final["dropped"],
        "conservation": conserved,
        "queue_share_before": [sum(r["queues"][q] for r in pre) /
                               max(1, sum(sum(r["queues"]) for r in pre))
                               for q in range(2)],
        "queue_share_after": [sum(r["queues"][q] for r in last) /
                              max(1, sum(sum(r["queues"]) for r in last))
                              for q in range(2)],
        "polls_after": rows[-1]["polls"],
        "moves": [l.rstrip("\n") for l in open("%s/%s.moves" % (d, mode))],
    }
print("%-26s | %9s %15s | %9s %15s | %10s | %8s %6s" % (
    "balancer", "max/mean", "PMD loads", "max/mean", "PMD loads",
    "converged", "lost", "conserv"))
print("%-26s | %9s %15s | %9s %15s | %10s | %8s %6s" % (
    "", "before", "before", "last 5 s", "last 5 s", "(<= 1.2)",
    "while on", "ation"))
for r in result.values():
    conv = ("%.1f s (%.1f int.)" % (r["converged_s"],
                                    r["converged_intervals"])
            if r["converged_s"] is not None else "never")
    print("%-26s | %9.3f %15s | %9.3f %15s | %10s | %8d %6s" % (
        r["name"], r["before_max_mean"],
        "/".join("%.2f" % x for x in r["before_loads"]),
        r["after_max_mean"],
        "/".join("%.2f" % x for x in r["after_loads"]), conv,
        r["dropped_while_on"], "yes" if r["conservation"] else "NO"))
print()
print("%-26s | %14s %14s | %14s" % ("balancer", "demand max/mean",
                                    "demand max/mean", "converged"))
print("%-26s | %14s %14s | %14s" % ("(packets per PMD)", "before",
                                    "last 5 s", "(<= 1.2)"))
for r in result.values():
    c = r["demand_converged_s"]
    print("%-26s | %14.3f %14.3f | %14s" % (
        r["name"], r["demand_before_max_mean"], r["demand_after_max_mean"],
        "%.1f s (%.1f int.)" % (c, c / (interval / 1000)) if c is not None
        else "never"))
print()
for r in result.values():
    print("%s: queue shares before %s, last 5 s %s; PMD of each queue at "
          "the end %s; %d packets, %d dropped in all (%.3f %% before, "
          "%.3f %% with the balancer on) %s" % (
              r["name"], "/".join("%.2f" % x for x in r["queue_share_before"]),
              "/".join("%.2f" % x for x in r["queue_share_after"]),
              r["polls_after"], r["packets"], r["dropped_total"],
              100 * r["drop_rate_before"], 100 * r["drop_rate_on"],
              {k: v for k, v in r["drop_reasons"].items() if v}))
    for m in r["moves"][:8]:
        print(m)
a, b = result["aligner"], result["autolb"]
if b["after_max_mean"]:
    print("aligner / pmd-auto-lb max/mean at the end: %.2f"
          % (a["after_max_mean"] / b["after_max_mean"]))
if path:
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
PY
