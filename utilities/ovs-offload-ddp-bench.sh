#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ovs-offload-ddp-bench.sh -- direct data placement against plain recv(),
# in the same run: receiver CPU per byte and throughput of TCP transfers
# from one VM namespace to another through nicsim (VF to VF in the NIC),
# for 64 KiB and 1 MiB transfers, and the share of bytes placed, with no
# reordering and with 1% of the data segments reordered (lossy medium).
#
# Usage: ovs-offload-ddp-bench.sh [--mib N] [--buffer BYTES] [--json FILE]
#                                 [--rounds N] [--schema FILE]
#
#   --mib N        MiB received per measurement (default 64)
#   --rounds N     interleaved runs of each mode (default 2)
#   --buffer B     placement buffer per connection (default 262144)
#   --json FILE    also write the figures as JSON
#
# Modes: "plain" recv(); "ddp", placement, each connection attached to one
# long-lived registration (ovs_offload_ddp_attach()); "-batch", both with
# SO_RCVLOWAT of buffer/8; "plain-batch-rcvbuf", plain-batch with the
# SO_RCVBUF that the library sets (a quarter of the buffer), the same
# socket as placement's; "ddp-batch-each", a buffer registered anew for
# each connection (ovs_offload_ddp_open()).
#
# Receiver CPU is the receiving process's own user + system time
# (getrusage), which includes its share of the kernel's TCP receive path;
# the receiver does not read the data (--no-verify), so the figure is the
# cost of getting the bytes, not of using them.  Needs root (namespaces);
# the OVS tools, ovs-vswitchd-offload and ovs-offload-ddp-recv are taken
# from $PATH.

set -o pipefail

mib=64 buffer=262144 json= rounds=2
schema=${OVS_SOURCE:+$OVS_SOURCE/vswitchd/vswitch.ovsschema}

die() { echo "ovs-offload-ddp-bench: error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case $1 in
        --mib) mib=$2; shift ;;
        --buffer) buffer=$2; shift ;;
        --json) json=$2; shift ;;
        --rounds) rounds=$2; shift ;;
        --schema) schema=$2; shift ;;
        -h|--help) sed -n '3,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
    shift
done
for v in "$mib" "$buffer" "$rounds"; do
    case $v in ''|*[!0-9]*|0) die "--mib, --buffer and --rounds want positive numbers" ;; esac
done
[ "$(id -u)" = 0 ] || die "must run as root"
[ -f "$schema" ] || die "no OVS schema; set OVS_SOURCE or pass --schema"
for tool in ovsdb-tool ovsdb-server ovs-vsctl ovs-appctl ovs-ofctl \
            ovs-vswitchd-offload ovs-offload-ddp-recv python3 ip; do
    command -v $tool >/dev/null || die "$tool is not in PATH"
done

dir=$(mktemp -d /tmp/ovs-offload-ddp-bench.XXXXXX) || die "mktemp failed"
# Private names: other jobs on the machine may run bridges and namespaces.
p=oddpb$$
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir OVS_SYSCONFDIR=$dir
appctl() { ovs-appctl -t ovs-vswitchd-offload "$@"; }
cleanup() {
    ovs-appctl -t ovs-vswitchd-offload exit --cleanup >/dev/null 2>&1
    ovs-appctl -t ovsdb-server exit >/dev/null 2>&1
    for n in a b; do
        ip netns del $p-$n 2>/dev/null
        ip link del ${p}$n 2>/dev/null
    done
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for n in a b; do
    ip netns add $p-$n || die "ip netns add failed"
    ip link add ${p}$n type veth peer name eth0 netns $p-$n || die "veth"
    ip -n $p-$n addr add 10.199.0.$([ $n = a ] && echo 1 || echo 2)/24 dev eth0
    ip -n $p-$n link set eth0 up
    ip netns exec $p-$n ethtool -K eth0 tx off >/dev/null 2>&1
    ip link set ${p}$n up
done

ovsdb-tool create "$dir/conf.db" "$schema" || die "ovsdb-tool failed"
ovsdb-server --detach --no-chdir --pidfile --log-file \
    --remote=punix:"$dir/db.sock" "$dir/conf.db" 2>/dev/null \
    || die "ovsdb-server did not start"
ovs-vsctl --no-wait init
ovs-vswitchd-offload --detach --no-chdir --pidfile --log-file 2>/dev/null \
    || die "ovs-vswitchd-offload did not start"
ovs-vsctl add-br b$p -- set bridge b$p datapath_type=netdev \
    -- add-port b$p vma -- set Interface vma type=nicsim options:nic=nic0 \
         options:role=vf options:vf=0 options:medium=afpacket:${p}a \
    -- add-port b$p vmb -- set Interface vmb type=nicsim options:nic=nic0 \
         options:role=vf options:vf=1 options:medium=afpacket:${p}b \
    || die "ovs-vsctl failed"
ovs-ofctl add-flow b$p actions=NORMAL
appctl nicsim/add-rule nic0 in_port=vf0 output:vf1 >/dev/null
appctl nicsim/add-rule nic0 in_port=vf1 output:vf0 >/dev/null
appctl offload/placement-set nic0 on || die "placement-set failed"
ctl=$(appctl offload/placement --format json nic0 | python3 -c \
      'import json, sys; print(json.load(sys.stdin)["nics"][0]["control_socket"])')
ip netns exec $p-a ping -q -c 2 -i 0.2 10.199.0.2 >/dev/null \
    || die "no connectivity between the namespaces"

port=6000
# measure SIZE COUNT MODE PORT: one receiver run of COUNT transfers of
# SIZE from a sender on PORT (a new one each time: it runs in a subshell).
measure() {
    local size=$1 count=$2 mode=$3 port=$4 opts=
    case $mode in
        ddp) opts="--control $ctl --vf 0 --buffer $buffer" ;;
        ddp-batch) opts="--control $ctl --vf 0 --buffer $buffer --batch $((buffer / 8))" ;;
        ddp-batch-each) opts="--control $ctl --vf 0 --buffer $buffer --batch $((buffer / 8)) --no-reuse" ;;
        plain-batch) opts="--batch $((buffer / 8))" ;;
        plain-batch-rcvbuf) opts="--batch $((buffer / 8)) --rcvbuf $((buffer / 4))" ;;
    esac
    # A file of its own: the last sender's "listening" must not count.
    local out=$dir/sender.$port.out
    ip netns exec $p-b ovs-offload-ddp-recv --send --peer 10.199.0.2:$port \
        --bytes $size --count $count > "$out" 2>&1 &
    local sender=$!
    for i in $(seq 600); do
        grep -qs listening "$out" && break
        kill -0 $sender 2>/dev/null || die "sender failed: $(cat "$out")"
        sleep 0.05
    done
    grep -qs listening "$out" || {
        kill $sender 2>/dev/null
        die "sender did not start listening"
    }
    ip netns exec $p-a ovs-offload-ddp-recv $opts --bind 10.199.0.1 \
        --peer 10.199.0.2:$port --bytes $size --count $count --json \
        --no-verify || {
        kill $sender 2>/dev/null
        die "receiver failed ($mode, $size bytes): $(cat "$out")"
    }
    wait $sender
}

results=$dir/results
: > "$results"
for reorder in 0 1; do
    if [ $reorder = 1 ]; then
        ovs-vsctl set Interface vmb \
            "options:medium=lossy:100/reorder/afpacket:${p}b"
        sleep 0.5
        ip netns exec $p-a ping -q -c 1 10.199.0.2 >/dev/null
    fi
    for size in 65536 1048576; do
        count=$((mib * 1048576 / size))
        # Interleaved, so that a change in the machine's load hits both.
        for mode in $(for i in $(seq $rounds); do
                          echo plain plain-batch plain-batch-rcvbuf ddp \
                               ddp-batch ddp-batch-each
                      done); do
            port=$((port + 1))
            # A failed measurement stops the benchmark here.
            r=$(measure $size $count $mode $port) || exit 1
            echo "$reorder $size $mode $r" >> "$results"
        done
    done
done

python3 - "$results" "$json" "$mib" "$buffer" "$rounds" <<'PY'
import json, statistics, sys
rows = {}
runs = {}          # (reorder, size, mode) -> CPU ns/byte of each round.
for line in open(sys.argv[1]):
    reorder, size, mode, rest = line.split(" ", 3)
    try:
        r = json.loads(rest)
    except ValueError:
        sys.exit("bad receiver report: %r" % line)
    k = (int(reorder), int(size), mode)
    acc = rows.setdefault(k, {"bytes": 0, "placed": 0, "cpu_ns": 0,
                              "elapsed_ns": 0})
    for f in acc:
        acc[f] += r[f]
    runs.setdefault(k, []).append(r["cpu_ns"] / r["bytes"])
print("%-8s %-8s %-18s | %10s %12s %9s" % (
    "reorder", "transfer", "mode", "MB/s", "CPU ns/byte", "placed"))
# "-batch": SO_RCVLOWAT of buffer/8 (ovs_offload_ddp_set_batch()), on the
# plain peer too, so that the batching alone is measured as well.
out = []
for (reorder, size, mode), a in sorted(rows.items()):
    mbs = a["bytes"] / a["elapsed_ns"] * 1e3
    nspb = a["cpu_ns"] / a["bytes"]
    pct = 100.0 * a["placed"] / a["bytes"]
    out.append({"reorder_pct": reorder, "transfer": size, "mode": mode,
                "mb_per_s": mbs, "cpu_ns_per_byte": nspb,
                "placed_pct": pct})
    print("%-8s %-8s %-18s | %10.1f %12.3f %8.2f%%" % (
        "%d%%" % reorder, "%dK" % (size // 1024), mode, mbs, nspb, pct))
print()
ratios = []
for reorder in (0, 1):
    for size in (65536, 1048576):
        for pm, dm in (("plain", "ddp"), ("plain", "ddp-batch"),
                       ("plain-batch", "ddp-batch"),
                       ("plain-batch-rcvbuf", "ddp-batch"),
                       ("plain-batch", "ddp-batch-each")):
            p, d = rows[(reorder, size, pm)], rows[(reorder, size, dm)]
            cp = p["cpu_ns"] / p["bytes"]
            cd = d["cpu_ns"] / d["bytes"]
            tp = p["bytes"] / p["elapsed_ns"]
            td = d["bytes"] / d["elapsed_ns"]
            # Each round's modes ran one after another: their ratio is
            # the least touched by the machine's other load.
            per_round = statistics.median(
                x / y for x, y in zip(runs[(reorder, size, dm)],
                                      runs[(reorder, size, pm)]))
            print("reorder %d%%, %4dK: %-14s/%-18s CPU per byte %.2fx "
                  "(median of rounds %.2fx), throughput %.2fx, "
                  "%.2f%% placed" % (
                      reorder, size // 1024, dm, pm, cd / cp, per_round,
                      td / tp, 100.0 * d["placed"] / d["bytes"]))
            ratios.append({"reorder_pct": reorder, "transfer": size,
                           "mode": dm, "peer": pm, "cpu_ratio": cd / cp,
                           "cpu_ratio_median": per_round,
                           "throughput_ratio": td / tp})
print("(%d MiB per run, %d interleaved runs per mode and case; the "
      "machine may be shared with other jobs)" % (int(sys.argv[3]),
                                                 int(sys.argv[5])))
if sys.argv[2]:
    with open(sys.argv[2], "w") as f:
        json.dump({"mib": int(sys.argv[3]), "buffer": int(sys.argv[4]),
                   "rounds": int(sys.argv[5]),
                   "rows": out, "ratios": ratios}, f, indent=2)
PY
