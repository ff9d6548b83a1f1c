#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ovs-offload-bench-syn.sh -- a SYN flood on real traffic: established
# iperf3, ping and new connections before and during an hping3 flood from
# random sources, with stock OVS, ovs-offload with the SYN guard off, with
# it on, and with it on and authenticating SYN sources in the NIC, on the
# same topology in one run.
#
# Usage: ovs-offload-bench-syn.sh [--quick] [--seconds N] [--setups LIST]
#            [--rounds N]
#            [--flood-interval I] [--conn-rate N] [--conn-timeout S]
#            [--syn-pps N] [--hw-offload] [--megaflows]
#            [--medium afpacket|afxdp] [--out DIR]
#            [--schema FILE] [--stock PATH] [--keep]
#
#   --quick             3 s per phase, set-ups "on" and "auth" only (the
#                       autotest)
#   --seconds N         length of each phase: before, control and during
#                       the flood (default 10)
#   --setups LIST       comma-separated, in order, from: stock, off, on,
#                       auth (default stock,off,on,auth)
#   --rounds N          take the set-ups in turn N times (default 1); the
#                       target is judged on the median ratio and the
#                       least share of connections over the rounds
#   --flood-interval I  hping3's -i: uN (a SYN every N microseconds) or
#                       "flood" (hping3 --flood, as fast as it can: on a
#                       small machine it takes a core of its own);
#                       default u100, at most 10000 SYN/s asked for (the
#                       rate hping3 reached is measured and reported)
#   --conn-rate N       new connections per second per client (default 20)
#   --conn-timeout S    seconds a connection may take, handshake and echo
#                       (default 2: one SYN retransmission)
#   --syn-pps N         rate limit of the guard's SYN class (default 1000)
#   --hw-offload        other_config:hw-offload=true in the ovs-offload
#                       set-ups (default false: every packet on the host
#                       path, as stock OVS; with megaflows off every flow
#                       is exact, its zero metadata and conntrack fields
#                       included, and still a NIC rule: the established
#                       stream's, and the flood's until the NIC's table
#                       is full, reason "table-full")
#   --megaflows         leave megaflows on (default: off, see below)
#   --medium M          the NIC ports' media on the veth ends: afpacket
#                       (default) or afxdp (AF_XDP sockets on libxdp's
#                       program; needs the XDP build)
#   --out DIR           where report.txt and report.json go
#                       (default ./bench-syn-report)
#   --schema FILE       vswitch.ovsschema (default $OVS_SOURCE/vswitchd/...)
#   --stock PATH        stock ovs-vswitchd (default $OVS_BUILD/vswitchd/...)
#   --keep              keep the run's directory (logs, raw figures)
#
# One hypervisor, ovs-vswitchd(-offload) on the userspace datapath in the
# root namespace, bridge actions=NORMAL.  VM namespaces on veth: srv (the
# server: iperf3 and a TCP echo service), cli (an iperf3 stream to srv,
# established before the flood), png (pings srv every 10 ms), con (opens
# --conn-rate connections a second to srv's echo service, each a full
# handshake, 6 bytes echoed, close).  Behind the uplink, the "wire"
# namespace: hping3 -S --rand-source at srv's echo port, and a remote
# client opening connections like con.  With ovs-offload the VMs are
# nicsim VFs and the wire the uplink pf0, media AF_PACKET on the veth
# ends; with stock OVS the veth ends are plain ports.  The off and on
# set-ups have the same classes on pf0 ("est": fallback, priority 6;
# "syn": priority 0, --syn-pps) and no classifier rule: only the guard
# (Offload:syn_guard, default thresholds) differs; auth is on with
# Offload:syn_guard_auth too (the NIC answers SYNs of unknown sources
# with a cookie challenge, a client's RST validates its address).  Three
# phases of
# --seconds each: before (no flood), control (the same hping3 into a veth pair
# inside the wire namespace, not through the hypervisor: what the
# generator's own CPU costs the others on a small machine), during (the
# flood at the server).  Megaflows are off in
# every set-up so that every new 5-tuple is an upcall, as the issue's
# premise and a per-connection policy make it (with actions=NORMAL and
# megaflows, the whole flood would hit one datapath flow).  Namespaces
# and veths are made afresh for each set-up (no half-open connections
# carried over).  Needs root; the OVS tools, ovs-vswitchd-offload,
# ovs-offloadctl, hping3, iperf3, ping, ss, ethtool and python3 from $PATH.
# Exit status: 0 done (whether or not the targets were met), 1 error,
# 77 cannot run here (not root, no namespaces, no hping3).

set -o pipefail

quick=false seconds=10 setups=stock,off,on,auth flood=u100 conn_rate=20 rounds=1
conn_timeout=2 syn_pps=1000 hw_offload=false megaflows=false keep=false
medium=afpacket
out=$PWD/bench-syn-report
schema=${OVS_SOURCE:+$OVS_SOURCE/vswitchd/vswitch.ovsschema}
offload_schema=$(cd "$(dirname "$0")/.." && pwd)/ovsdb-schema/offload.ovsschema
stock=${OVS_BUILD:+$OVS_BUILD/vswitchd/ovs-vswitchd}
seconds_set=false setups_set=false

die() { echo "ovs-offload-bench-syn: error: $*" >&2; exit 1; }
skip() { echo "ovs-offload-bench-syn: skipped: $*" >&2; exit 77; }
say() { echo "ovs-offload-bench-syn: $*"; }

while [ $# -gt 0 ]; do
    case $1 in
        --quick) quick=true ;;
        --seconds) seconds=$2 seconds_set=true; shift ;;
        --setups) setups=$2 setups_set=true; shift ;;
        --rounds) rounds=$2; shift ;;
        --flood-interval) flood=$2; shift ;;
        --conn-rate) conn_rate=$2; shift ;;
        --conn-timeout) conn_timeout=$2; shift ;;
        --syn-pps) syn_pps=$2; shift ;;
        --hw-offload) hw_offload=true ;;
        --megaflows) megaflows=true ;;
        --medium) medium=$2; shift ;;
        --out) out=$2; shift ;;
        --schema) schema=$2; shift ;;
        --stock) stock=$2; shift ;;
        --keep) keep=true ;;
        -h|--help) sed -n '3,/^$/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
    shift
done
if $quick; then
    $seconds_set || seconds=3
    $setups_set || setups=on,auth
fi
for v in "$seconds" "$conn_rate" "$conn_timeout" "$syn_pps" "$rounds"; do
    case $v in
        ''|*[!0-9]*|0) die "--seconds, --rounds, --conn-rate," \
                           "--conn-timeout and --syn-pps want positive" \
                           "numbers" ;;
    esac
done
case $medium in
    afpacket|afxdp) ;;
    *) die "--medium: unknown medium '$medium' (afpacket, afxdp)" ;;
esac
case $flood in
    flood) flood_args=--flood ;;
    u[0-9]*)
        case ${flood#u} in
            *[!0-9]*|0) die "--flood-interval wants uN (N > 0) or flood" ;;
        esac
        flood_args="-i $flood" ;;
    *) die "--flood-interval wants uN (N > 0) or flood" ;;
esac
for s in ${setups//,/ }; do
    case $s in
        stock|off|on|auth) ;;
        *) die "--setups: unknown set-up '$s' (stock, off, on, auth)" ;;
    esac
done
[ -n "${setups//,/}" ] || die "--setups is empty"
[ "$(id -u)" = 0 ] || skip "must run as root (network namespaces)"
ip netns list >/dev/null 2>&1 || skip "no network namespaces here"
command -v hping3 >/dev/null || skip "no hping3 (apt-get install hping3)"
[ -f "$schema" ] || die "no OVS schema; set OVS_SOURCE or pass --schema"
[ -f "$offload_schema" ] || die "no Offload schema at $offload_schema"
case ",$setups," in
    *,stock,*) [ -x "$stock" ] \
        || die "no stock ovs-vswitchd; set OVS_BUILD or pass --stock" ;;
esac
for tool in ovsdb-tool ovsdb-server ovs-vsctl ovs-appctl ovs-ofctl \
            ovs-vswitchd-offload ovs-offloadctl iperf3 ping ss ethtool \
            python3 ip; do
    command -v $tool >/dev/null || die "$tool is not in PATH"
done
mkdir -p "$out" || die "cannot create $out"
out=$(cd "$out" && pwd)

dir=$(mktemp -d /tmp/ovs-offload-bench-syn.XXXXXX) || die "mktemp failed"
# Private names: other jobs on the machine run bridges and namespaces too.
# The switch (its daemon and the VMs' veth ends) is in a namespace of its
# own, since the userspace datapath's tap devices ("ovs-netdev" and the
# bridge's) have host-wide names that another OVS may hold.
p=osg$$
ns_list="srv cli png con w"
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir OVS_SYSCONFDIR=$dir
daemon=ovs-vswitchd-offload
appctl() { ovs-appctl -t "$dir/ovs-vswitchd.ctl" "$@"; }
inns() { local ns=$1; shift; ip netns exec $p-$ns "$@"; }
pids=
stop_daemons() {
    local pid i
    pid=$(cat "$dir/ovs-vswitchd.pid" 2>/dev/null)
    [ -S "$dir/ovs-vswitchd.ctl" ] && appctl exit --cleanup >/dev/null 2>&1
    # Until the daemon is gone (at most 10 s), and only then signals: a
    # SIGTERM would cut its --cleanup short.  A daemon still there is
    # killed; one already gone is not signalled (its pid may be reused).
    for i in $(seq 100); do
        [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    ovs-appctl -t ovsdb-server exit >/dev/null 2>&1
    for f in "$dir"/*.pid; do
        [ -f "$f" ] && kill "$(cat "$f" 2>/dev/null)" 2>/dev/null
    done
    rm -f "$dir"/*.pid
}
del_topology() {
    local n
    for pid in $pids; do kill $pid 2>/dev/null; done
    pids=
    for n in $ns_list h; do
        ip netns pids $p-$n 2>/dev/null | xargs -r kill 2>/dev/null
        ip netns del $p-$n 2>/dev/null
    done
}
cleanup() {
    stop_daemons
    del_topology
    if $keep; then
        echo "ovs-offload-bench-syn: kept $dir" >&2
    else
        rm -rf "$dir"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mac_srv=50:54:00:5e:00:01 mac_cli=50:54:00:5e:00:02
mac_png=50:54:00:5e:00:03 mac_con=50:54:00:5e:00:04
mac_w=50:54:00:5e:00:fe
ip_srv=10.198.0.1 ip_cli=10.198.0.2 ip_png=10.198.0.3 ip_con=10.198.0.4
ip_w=10.198.0.100
vf_srv=1 vf_cli=2 vf_png=3 vf_con=4
ip_d0=10.199.0.100 ip_sink=10.199.0.1
iperf_port=5201 echo_port=8080

make_topology() {
    local n mac ip
    ip netns add $p-h || die "ip netns add failed"
    ip -n $p-h link set lo up
    for n in $ns_list; do
        eval mac=\$mac_$n ip=\$ip_$n
        ip netns add $p-$n || die "ip netns add failed"
        inns $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
            net.ipv6.conf.default.disable_ipv6=1
        ip link add ${p}$n netns $p-h type veth peer name eth0 netns $p-$n \
            || die "ip link add failed"
        ip -n $p-$n link set eth0 address $mac
        ip -n $p-$n addr add $ip/24 dev eth0
        ip -n $p-$n link set eth0 up
        ip -n $p-$n link set lo up
        # The userspace datapath does not complete partial checksums.
        inns $n ethtool -K eth0 tx off >/dev/null 2>&1
        inns h ethtool -K ${p}$n tx off >/dev/null 2>&1
        ip -n $p-h link set ${p}$n up
    done
    # The server answers the flood's random sources (SYN-ACKs through the
    # hypervisor, to the wire, which drops them), as a server on a real
    # network does.
    ip -n $p-srv route add default via $ip_w || die "ip route failed"
    # The generator alone: a veth pair inside the wire namespace, where
    # the control phase's flood goes instead of through the hypervisor
    # (its far end drops the frames: not its MAC).
    ip -n $p-w link add d0 type veth peer name d1 \
        || die "ip link add failed"
    ip -n $p-w addr add $ip_d0/24 dev d0
    ip -n $p-w link set d0 up
    ip -n $p-w link set d1 up
    ip -n $p-w neigh add $ip_sink lladdr 02:00:00:00:00:01 dev d0
}

# The server's TCP echo service and the clients that open connections.
cat > "$dir/conn.py" <<'PY'
import json, socket, sys, threading, time

if sys.argv[1] == "server":
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[2], int(sys.argv[3])))
    s.listen(4096)

    def serve(c):
        try:
            c.settimeout(10)
            c.sendall(c.recv(64))
        except OSError:
            pass
        finally:
            c.close()
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()

# client HOST PORT RATE SECONDS TIMEOUT: one attempt every 1/RATE s, each
# in its own thread so that a slow one does not delay the next.
host, port = sys.argv[2], int(sys.argv[3])
rate, secs, timeout = float(sys.argv[4]), float(sys.argv[5]), \
    float(sys.argv[6])
res = []
lock = threading.Lock()


def attempt():
    t = time.monotonic()
    why = None
    try:
        with socket.create_connection((host, port), timeout=timeout) as c:
            c.settimeout(max(0.01, timeout - (time.monotonic() - t)))
            c.sendall(b"hello\n")
            got = b""
            while len(got) < 6:
                d = c.recv(64)
                if not d:
                    break
                got += d
            if got != b"hello\n":
                why = "short-echo"
    except socket.timeout:
        why = "timeout"
    except OSError as e:
        why = e.__class__.__name__
    with lock:
        res.append((why, time.monotonic() - t))


threads = []
t0 = time.monotonic()
n = int(rate * secs)
for i in range(n):
    delay = t0 + i / rate - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    th = threading.Thread(target=attempt, daemon=True)
    th.start()
    threads.append(th)
for th in threads:
    th.join(timeout + 5)
ok = sorted(d for w, d in res if w is None)
fail = {}
for w, d in res:
    if w:
        fail[w] = fail.get(w, 0) + 1
print(json.dumps({"attempted": n, "completed": len(ok), "failed": fail,
                  "p50_ms": 1000 * ok[len(ok) // 2] if ok else None,
                  "p99_ms": 1000 * ok[min(len(ok) - 1, int(.99 * len(ok)))]
                  if ok else None}))
PY

# CPU ticks of the daemon's host threads, and of the NIC engine threads
# that run inside ovs-vswitchd-offload (the "hardware"): "HOST NIC".
cpu_ticks() {
    local pid=$1 host=0 nic=0 t
    for t in /proc/$pid/task/*; do
        set -- $(sed 's/^.*) //' $t/stat 2>/dev/null)
        local n=$((${12:-0} + ${13:-0}))
        case "$(cat $t/comm 2>/dev/null)" in
            nicsim_engine*) nic=$((nic + n)) ;;
            *) host=$((host + n)) ;;
        esac
    done
    echo "$host $nic"
}

# Upcalls by ovs-vswitchd's own counters: dpif-netdev's misses with a
# successful and a failed upcall (every thread), and coverage's
# xlate_actions (translations: upcalls and revalidation) and
# upcall_flow_limit_hit totals: "OK FAILED XLATE LIMIT".
upcalls() {
    local s c
    s=$(appctl dpif-netdev/pmd-stats-show | awk '
        /miss with success upcall:/ { ok += $NF }
        /miss with failed upcall:/ { bad += $NF }
        END { print ok + 0, bad + 0 }')
    c=$(appctl coverage/show | awk '
        $1 == "xlate_actions" { x = $NF }
        $1 == "upcall_flow_limit_hit" { l = $NF }
        END { print x + 0, l + 0 }')
    echo "$s $c"
}

# bytes_acked of the iperf3 data connection, from the client's socket.
acked() {
    inns cli ss -tinH dst $ip_srv "dport = :$iperf_port" | python3 -c '
import re, sys
print(max([int(v) for v in re.findall(r"bytes_acked:(\d+)",
                                      sys.stdin.read())] or [0]))'
}

# Frames the wire namespace sent: the flood, and the remote client's few.
wire_tx() { inns h cat /sys/class/net/${p}w/statistics/rx_packets; }
sink_tx() { inns w cat /sys/class/net/d0/statistics/tx_packets; }

# sample SETUP PHASE EDGE: the counters at one edge of a phase, a line
# of "KEY=VALUE" in $dir/SETUP-PHASE-EDGE.
sample() {
    local f=$dir/$1-$2-$3 pid
    pid=$(cat "$dir/ovs-vswitchd.pid")
    {
        echo "time=$(date +%s.%N)"
        echo "acked=$(acked)"
        echo "cpu=$(cpu_ticks $pid | tr ' ' ,)"
        echo "upcalls=$(upcalls | tr ' ' ,)"
        echo "load=$(cut -d' ' -f1 /proc/loadavg)"
    } > "$f"
}

# phase SETUP PHASE: ping, the two connection clients, the counters.
phase() {
    local setup=$1 ph=$2 pp cp rp
    sample $setup $ph 0
    inns png ping -n -i 0.01 -W 1 -c $((seconds * 100)) $ip_srv \
        > "$dir/$setup-$ph-ping.out" 2>&1 &
    pp=$!
    inns con python3 "$dir/conn.py" client $ip_srv $echo_port \
        $conn_rate $seconds $conn_timeout > "$dir/$setup-$ph-con.json" &
    cp=$!
    inns w python3 "$dir/conn.py" client $ip_srv $echo_port \
        $conn_rate $seconds $conn_timeout > "$dir/$setup-$ph-remote.json" &
    rp=$!
    # The ping ends last but one; the figures' window is its length.
    wait $pp
    sample $setup $ph 1
    wait $cp
    wait $rp
}

wait_until() {                  # wait_until CMD [TENTHS]
    local i
    for i in $(seq ${2:-300}); do
        eval "$1" && return 0
        sleep 0.1
    done
    return 1
}

run_setup() {
    local setup=$1 tag=$1$2 binary=ovs-vswitchd-offload n vf mac hp args
    [ $setup = stock ] && binary=$stock
    say "set-up $setup, round $2"
    make_topology
    rm -f "$dir"/*.db "$dir"/*.log "$dir"/*.ctl
    ovsdb-tool create "$dir/conf.db" "$schema" || die "ovsdb-tool failed"
    ovsdb-tool create "$dir/offload.db" "$offload_schema" \
        || die "ovsdb-tool failed"
    ovsdb-server --detach --no-chdir --pidfile --log-file -vconsole:off \
        --remote=punix:"$dir/db.sock" "$dir/conf.db" "$dir/offload.db" \
        2>/dev/null || die "ovsdb-server did not start"
    ovs-vsctl --no-wait init
    [ $setup != stock ] && ovs-vsctl --no-wait set Open_vSwitch . \
        other_config:hw-offload=$hw_offload
    inns h $binary --detach --no-chdir --pidfile="$dir/ovs-vswitchd.pid" \
        --unixctl="$dir/ovs-vswitchd.ctl" --log-file="$dir/$tag.log" \
        -vconsole:off 2>/dev/null || die "$binary did not start"
    args=(add-br b$p -- set bridge b$p datapath_type=netdev)
    if [ $setup = stock ]; then
        for n in w srv cli png con; do args+=(-- add-port b$p ${p}$n); done
    else
        args+=(-- add-port b$p pf0 -- set Interface pf0 type=nicsim
               options:nic=nic0 options:role=uplink
               options:medium=$medium:${p}w)
        for n in srv cli png con; do
            eval vf=\$vf_$n mac=\$mac_$n
            args+=(-- add-port b$p $n -- set Interface $n type=nicsim
                   options:nic=nic0 options:role=vf options:vf=$vf
                   options:medium=$medium:${p}$n external_ids:vm-id=$n
                   external_ids:attached-mac=\"$mac\")
        done
    fi
    ovs-vsctl "${args[@]}" || die "ovs-vsctl failed"
    ovs-ofctl add-flow b$p actions=NORMAL || die "ovs-ofctl failed"
    $megaflows || appctl upcall/disable-megaflows >/dev/null \
        || die "upcall/disable-megaflows failed"
    if [ $setup != stock ]; then
        wait_until "ovs-offloadctl get NIC nic0 name >/dev/null 2>&1" \
            || die "the daemon did not publish nic0 in the Offload database"
        ovs-offloadctl create Class name=est interface=pf0 queue=0 \
            priority=6 fallback=true -- \
          create Class name=syn interface=pf0 queue=0 priority=0 \
            pps=$syn_pps >/dev/null || die "ovs-offloadctl failed"
        ovs-offloadctl set Offload . syn_guard=$([ $setup = off ] \
            && echo false || echo true) syn_guard_class=syn \
            syn_guard_auth=$([ $setup = auth ] && echo true || echo false) \
            || die "ovs-offloadctl failed"
        wait_until "ovs-offloadctl get Class est status:state 2>/dev/null \
                    | grep -q programmed" \
            || die "the classes were not programmed"
    fi
    for n in cli png con w; do
        wait_until "inns $n ping -c 1 -W 1 $ip_srv >/dev/null 2>&1" 30 \
            || die "no connectivity from $n to srv"
    done

    inns srv iperf3 -s -1 -D -B $ip_srv -p $iperf_port \
        -I "$dir/iperf3.pid" >/dev/null 2>&1 || die "iperf3 -s failed"
    inns srv python3 "$dir/conn.py" server $ip_srv $echo_port &
    pids="$pids $!"
    wait_until "inns srv ss -Hltn 'src $ip_srv:$iperf_port' | grep -q . &&
                inns srv ss -Hltn 'src $ip_srv:$echo_port' | grep -q ." \
        || die "the servers did not start"
    inns cli iperf3 -c $ip_srv -p $iperf_port -t $((seconds * 3 + 40)) \
        --connect-timeout 3000 > "$dir/$tag-iperf3.out" 2>&1 &
    pids="$pids $!"
    # Established: past slow start before the first phase.
    wait_until 'test "$(acked)" -gt 1000000' \
        || die "no iperf3 stream: $(cat "$dir/$tag-iperf3.out")"
    sleep 1

    phase $tag before
    # Control: the same flood into the wire's sink veth, so that what
    # the generator's own CPU costs the others shows apart.
    # Not through inns: a function in the background is a subshell, and
    # killing it would leave hping3 flooding into the next phase.  "ip
    # netns exec" execs, so $! is hping3 itself.
    ip netns exec $p-w hping3 -S $flood_args --rand-source -p $echo_port \
        $ip_sink \
        > "$dir/$tag-hping3-control.out" 2>&1 &
    hp=$!
    echo "time=$(date +%s.%N)" > "$dir/$tag-cflood-0"
    echo "tx=$(sink_tx)" >> "$dir/$tag-cflood-0"
    phase $tag control
    kill $hp
    wait $hp 2>/dev/null
    echo "time=$(date +%s.%N)" > "$dir/$tag-cflood-1"
    echo "tx=$(sink_tx)" >> "$dir/$tag-cflood-1"
    ip netns exec $p-w hping3 -S $flood_args --rand-source -p $echo_port \
        $ip_srv \
        > "$dir/$tag-hping3.out" 2>&1 &
    hp=$!
    echo "time=$(date +%s.%N)" > "$dir/$tag-flood-0"
    echo "tx=$(wire_tx)" >> "$dir/$tag-flood-0"
    phase $tag during
    [ $setup != stock ] && appctl offload/classes --format json \
        > "$dir/$tag-classes.json"
    appctl upcall/show > "$dir/$tag-upcall-show.txt" 2>&1
    # (A background job ignores SIGINT, hping3's cue for its statistics:
    # the wire's own counter says what it sent.)
    kill $hp
    wait $hp 2>/dev/null
    echo "time=$(date +%s.%N)" > "$dir/$tag-flood-1"
    echo "tx=$(wire_tx)" >> "$dir/$tag-flood-1"
    # The stream too ends before the NIC's counters are read: with
    # hw-offload its rule keeps forwarding, and counters read while
    # packets pass are only bounds (outcomes are counted first).
    kill "$(cat "$dir/iperf3.pid" 2>/dev/null)" 2>/dev/null
    if [ $setup != stock ]; then
        # Conservation holds once the NIC has nothing in flight: the last
        # of the flood may still be between a port's receive and its rule.
        local prev= cur i
        for i in $(seq 50); do
            appctl nicsim/show --format json > "$dir/$tag-nicsim.json"
            cur=$(python3 -c '
import json, sys
print(sum(p["rx_packets"] for n in json.load(open(sys.argv[1]))
          for p in n["ports"]))' "$dir/$tag-nicsim.json")
            [ "$cur" = "$prev" ] && break
            prev=$cur
            sleep 0.1
        done
        appctl offload/show --format json > "$dir/$tag-offload.json" \
            2>&1
    fi
    grep -E "WARN|ERR" "$dir/$tag.log" | tail -5 \
        > "$dir/$tag-warnings.txt"
    stop_daemons
    del_topology
}

say "run in $dir; $seconds s before and $seconds s during the flood," \
    "hping3 ${flood_args}"
# Rounds take the set-ups in turn, so that the machine's load drifts
# over all of them alike.
for r in $(seq $rounds); do
    for s in ${setups//,/ }; do
        run_setup $s $r
    done
done

python3 - "$dir" "$out" "$setups" "$seconds" "$flood" "$conn_rate" \
    "$conn_timeout" "$syn_pps" "$hw_offload" "$megaflows" "$quick" \
    "$(getconf CLK_TCK)" "$(nproc)" "$p" "$rounds" "$medium" <<'PY'
import json, os, re, sys
(d, out, setups, secs, flood, conn_rate, conn_timeout, syn_pps, hwo,
 mega, quick, hz, ncpu, prefix, nrounds, medium) = sys.argv[1:]
nrounds = int(nrounds)
setups = setups.split(",")
hz = int(hz)


def kv(path):
    return dict(l.strip().split("=", 1) for l in open(path) if "=" in l)


def pct(v, q):
    if not v:
        return None
    v = sorted(v)
    return v[min(len(v) - 1, int(q / 100.0 * len(v)))]


def ratio(a, b):
    return a / b if a is not None and b else None


def phase(s, ph):
    a, b = kv("%s/%s-%s-0" % (d, s, ph)), kv("%s/%s-%s-1" % (d, s, ph))
    t = float(b["time"]) - float(a["time"])
    ca = [int(x) for x in a["cpu"].split(",")]
    cb = [int(x) for x in b["cpu"].split(",")]
    ua = [int(x) for x in a["upcalls"].split(",")]
    ub = [int(x) for x in b["upcalls"].split(",")]
    text = open("%s/%s-%s-ping.out" % (d, s, ph)).read()
    rtts = [float(x) for x in re.findall(r"icmp_seq=\d+ .*time=([0-9.]+)",
                                         text)]
    sent = re.search(r"(\d+) packets transmitted", text)
    sent = int(sent.group(1)) if sent else 0
    got = len(set(re.findall(r"icmp_seq=(\d+) .*time=", text)))
    conns = {}
    for who in ("con", "remote"):
        try:
            c = json.load(open("%s/%s-%s-%s.json" % (d, s, ph, who)))
        except ValueError:
            c = {"attempted": 0, "completed": 0, "failed": {}}
        c["share"] = (c["completed"] / c["attempted"]
                      if c["attempted"] else None)
        conns[who] = c
    return {
        "seconds": t,
        "iperf_bits_per_second": (int(b["acked"]) - int(a["acked"])) * 8 / t,
        "ping_sent": sent, "ping_received": got,
        "ping_loss_pct": 100.0 * (sent - got) / sent if sent else None,
        "ping_p50_ms": pct(rtts, 50), "ping_p99_ms": pct(rtts, 99),
        "connections_vm": conns["con"], "connections_remote":
        conns["remote"],
        "upcalls_per_second": (ub[0] - ua[0] + ub[1] - ua[1]) / t,
        "failed_upcalls_per_second": (ub[1] - ua[1]) / t,
        "xlate_per_second": (ub[2] - ua[2]) / t,
        "flow_limit_hits": ub[3] - ua[3],
        "vswitchd_cpu_pct": 100.0 * (cb[0] - ca[0]) / hz / t,
        "nic_engine_cpu_pct": 100.0 * (cb[1] - ca[1]) / hz / t,
        "load_average": [float(a["load"]), float(b["load"])]}


rows = []
for k, s in [(k, s) for k in range(1, nrounds + 1) for s in setups]:
    tag = s
    s = "%s%d" % (s, k)
    r = {"setup": tag, "round": k, "before": phase(s, "before"),
         "control": phase(s, "control"), "during": phase(s, "during")}
    c0, c1 = kv("%s/%s-cflood-0" % (d, s)), kv("%s/%s-cflood-1" % (d, s))
    r["control_flood_pps"] = ((int(c1["tx"]) - int(c0["tx"]))
                              / (float(c1["time"]) - float(c0["time"])))
    r["control_iperf_ratio"] = ratio(
        r["control"]["iperf_bits_per_second"],
        r["before"]["iperf_bits_per_second"])
    # What the flood costs beyond the generator's own CPU.
    r["iperf_ratio_vs_control"] = ratio(
        r["during"]["iperf_bits_per_second"],
        r["control"]["iperf_bits_per_second"])
    f0, f1 = kv("%s/%s-flood-0" % (d, s)), kv("%s/%s-flood-1" % (d, s))
    ft = float(f1["time"]) - float(f0["time"])
    r["flood_frames"] = int(f1["tx"]) - int(f0["tx"])
    r["flood_seconds"] = ft
    r["flood_pps"] = r["flood_frames"] / ft
    b, g = r["before"], r["during"]
    r["iperf_ratio"] = ratio(g["iperf_bits_per_second"],
                             b["iperf_bits_per_second"])
    r["ping_p99_ratio"] = ratio(g["ping_p99_ms"], b["ping_p99_ms"])
    # Legitimate connections: the VM's and the remote client's.
    r["target_met"] = bool(
        r["iperf_ratio"] is not None and r["iperf_ratio"] >= 0.8
        and all(g[c]["share"] is not None and g[c]["share"] >= 0.95
                for c in ("connections_vm", "connections_remote")))
    path = "%s/%s-classes.json" % (d, s)
    if os.path.exists(path):
        ifs = [i for i in json.load(open(path))["interfaces"]
               if i["interface"] == "pf0"]
        if ifs:
            i = ifs[0]
            r["syn_guard"] = {k: i["syn_guard"].get(k) for k in
                              ("state", "engaged", "diverted", "syns",
                               "last_transitions", "auth")}
            r["classes"] = {c["name"]: {k: c[k] for k in
                                        ("offered", "delivered", "drops")}
                            for c in i["classes"]}
    path = "%s/%s-nicsim.json" % (d, s)
    if os.path.exists(path):
        for nic in json.load(open(path)):
            # What the NIC forwarded itself (rules; hw-offload only).
            r["nic_forwarded_packets"] = sum(
                p["forwarded"] for p in nic["ports"])
            r["nic_uplink_rx_packets"] = sum(
                p["rx_packets"] for p in nic["ports"]
                if p["port"] == "uplink0")
            r["nic_conservation_ok"] = all(
                p["rx_packets"] == p["forwarded"] + sum(p["to_host"].values())
                + sum(p["dropped"].values()) for p in nic["ports"])
    r["warnings"] = open("%s/%s-warnings.txt" % (d, s)).read().splitlines()
    rows.append(r)


def median(v):
    v = sorted(x for x in v if x is not None)
    return v[len(v) // 2] if v else None


# Per set-up: its first round's figures, every round, and the medians
# over the rounds that the target is judged on.
runs = {}
for s in setups:
    rs = [r for r in rows if r["setup"] == s]
    a = dict(rs[0])
    a["rounds"] = rs
    a["median_iperf_ratio"] = median([r["iperf_ratio"] for r in rs])
    a["median_iperf_ratio_vs_control"] = median(
        [r["iperf_ratio_vs_control"] for r in rs])
    a["min_connections_vm_share"] = min(
        (r["during"]["connections_vm"]["share"] or 0) for r in rs)
    a["min_connections_remote_share"] = min(
        (r["during"]["connections_remote"]["share"] or 0) for r in rs)
    a["median_upcalls_per_second"] = median(
        [r["during"]["upcalls_per_second"] for r in rs])
    a["target_met"] = bool(
        a["median_iperf_ratio"] is not None
        and a["median_iperf_ratio"] >= 0.8
        and a["min_connections_vm_share"] >= 0.95
        and a["min_connections_remote_share"] >= 0.95)
    runs[s] = a

names = {"stock": "stock OVS", "off": "ovs-offload, guard off",
         "on": "ovs-offload, guard on", "auth": "ovs-offload, guard+auth"}
f = lambda v, fmt: fmt % v if v is not None else "-"
lines = []
p = lines.append
p("SYN flood at srv's echo port, hping3 %s from random sources, behind "
  "the uplink; %s s per phase; megaflows %s; hw-offload %s (ovs-offload "
  "set-ups); SYN class %s pps" % (
      "--flood" if flood == "flood" else "-i " + flood, secs,
      "on" if mega == "true" else "off", hwo, syn_pps))
p("")
p("%-26s %9s | %8s %8s %6s %6s | %8s %8s %6s | %6s %6s %6s | %8s %8s | %5s"
  " %5s %5s" % ("set-up", "flood/s", "iperf3", "during", "ratio", "/ctl",
                "p99 ms",
            "during", "loss%", "VM %", "VM %", "wire %", "upcall/s",
            "during", "cpu %", "durng", "NIC %"))
p("%-26s %9s | %8s %8s %6s %6s | %8s %8s %6s | %6s %6s %6s | %8s %8s | %5s"
  " %5s %5s" % ("", "", "Gb/s", "Gb/s", "", "", "before", "", "during",
                "before",
            "during", "during", "before", "", "befor", "", "durng"))
label = lambda r: names[r["setup"]] + (
    " #%d" % r["round"] if nrounds > 1 else "")
for r in rows:
    b, g = r["before"], r["during"]
    p("%-26s %9s | %8.3f %8.3f %6s %6s | %8s %8s %6s | %6s %6s %6s | %8.0f"
      " %8.0f | %5.0f %5.0f %5.0f" % (
          label(r), f(r["flood_pps"], "%.0f"),
          b["iperf_bits_per_second"] / 1e9, g["iperf_bits_per_second"] / 1e9,
          f(r["iperf_ratio"], "%.2f"), f(r["iperf_ratio_vs_control"], "%.2f"),
          f(b["ping_p99_ms"], "%.3f"),
          f(g["ping_p99_ms"], "%.3f"), f(g["ping_loss_pct"], "%.1f"),
          f(b["connections_vm"]["share"] and
            100 * b["connections_vm"]["share"], "%.1f"),
          f(g["connections_vm"]["share"] is not None and
            100 * g["connections_vm"]["share"], "%.1f"),
          f(g["connections_remote"]["share"] is not None and
            100 * g["connections_remote"]["share"], "%.1f"),
          b["upcalls_per_second"], g["upcalls_per_second"],
          b["vswitchd_cpu_pct"], g["vswitchd_cpu_pct"],
          g["nic_engine_cpu_pct"]))
p("")
for r in rows:
    g = r["during"]
    p("%s: during the flood ping loss %s%%, VM connections %d/%d %s, "
      "remote (behind the uplink) %d/%d %s, xlate_actions %.0f/s, flow "
      "limit hits %d, load average %.2f-%.2f" % (
          label(r), f(g["ping_loss_pct"], "%.1f"),
          g["connections_vm"]["completed"], g["connections_vm"]["attempted"],
          g["connections_vm"]["failed"] or "",
          g["connections_remote"]["completed"],
          g["connections_remote"]["attempted"],
          g["connections_remote"]["failed"] or "",
          g["xlate_per_second"], g["flow_limit_hits"],
          min(r["before"]["load_average"] + g["load_average"]),
          max(r["before"]["load_average"] + g["load_average"])))
    c = r["control"]
    p("  control, the generator alone (%.0f SYN/s into the wire's sink "
      "device): iperf3 %.3f Gb/s, %s of before; ping p99 %s ms; VM "
      "connections %d/%d" % (
          r["control_flood_pps"], c["iperf_bits_per_second"] / 1e9,
          f(r["control_iperf_ratio"], "%.2fx"), f(c["ping_p99_ms"], "%.3f"),
          c["connections_vm"]["completed"],
          c["connections_vm"]["attempted"]))
    if "syn_guard" in r:
        sg = r["syn_guard"]
        p("  SYN guard %s, engaged %s times, %s SYNs diverted; class syn: "
          "%s" % (sg["state"], sg["engaged"], sg["diverted"],
                  r["classes"].get("syn")))
        a = sg.get("auth") or {}
        if a.get("enabled"):
            p("  SYN authentication: %d challenged, %d over its rate, %d "
              "sources validated, %d SYNs of them passed" % (
                  a["challenged"], a["over_rate"], a["validated"],
                  a["passed"]))
    if "nic_conservation_ok" in r:
        p("  NIC conservation %s; %d packets forwarded by NIC rules" % (
            "holds" if r["nic_conservation_ok"] else "VIOLATED",
            r["nic_forwarded_packets"]))
p("")
if nrounds > 1:
    for s in setups:
        a = runs[s]
        p("%s over %d rounds: median ratio %s, median /ctl %s, median "
          "upcalls/s during %s, least share of VM connections %.1f%%, of "
          "remote ones %.1f%%" % (
              names[s], nrounds, f(a["median_iperf_ratio"], "%.2f"),
              f(a["median_iperf_ratio_vs_control"], "%.2f"),
              f(a["median_upcalls_per_second"], "%.0f"),
              100 * a["min_connections_vm_share"],
              100 * a["min_connections_remote_share"]))
    p("")
for s in ("on", "auth"):
    on = runs.get(s)
    if on:
        p("Target, %s: established throughput >= 0.8x its no-flood value "
          "(%s%s) and >= 95%% of the legitimate connections completing "
          "(VM %s, remote %s): %s" % (
              names[s], "median " if nrounds > 1 else "",
              f(on["median_iperf_ratio"], "%.2fx"),
              f(100 * on["min_connections_vm_share"], "%.1f%%"),
              f(100 * on["min_connections_remote_share"], "%.1f%%"),
              "met" if on["target_met"] else "NOT met"))
p("(ratio: during / before; /ctl: during / control, the generator "
  "alone; VM %: the con VM's connections completed, wire %: the remote "
  "client's, behind the uplink with the flood)")
p("(phases before, control and during one after another; iperf3: bytes "
  "acked on the established stream; ping every 10 ms; "
  "connections at %s/s each from con and the wire, %s s timeout; CPU in "
  "%% of one core of %s; the machine may be shared with other jobs)"
  % (conn_rate, conn_timeout, ncpu))
text = "\n".join(lines) + "\n"
open(os.path.join(out, "report.txt"), "w").write(text)
json.dump({"setups": runs, "rounds": nrounds,
           "seconds_per_phase": int(secs),
           "flood_interval": flood, "conn_rate": int(conn_rate),
           "conn_timeout": int(conn_timeout), "syn_class_pps": int(syn_pps),
           "hw_offload": hwo == "true", "megaflows": mega == "true",
           "medium": medium, "quick": quick == "true", "cpus": int(ncpu),
           "namespace_prefix": prefix + "-"},
          open(os.path.join(out, "report.json"), "w"), indent=2)
sys.stdout.write(text)
PY
status=$?
[ $status = 0 ] || die "could not write the report"
say "report: $out/report.txt, $out/report.json"
