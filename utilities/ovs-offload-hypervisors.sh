#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ovs-offload-hypervisors.sh -- two hypervisors, four VMs, real traffic,
# offload off and on, and stock OVS as the baseline, side by side.
#
# Usage: ovs-offload-hypervisors.sh [--keep] [--quick] [--seconds N]
#            [--setups LIST] [--out DIR] [--schema FILE] [--stock PATH]
#            [--backend nicsim|xdp] [--medium afpacket|afxdp]
#            [--overlay geneve|vxlan] [--ovn]
#
#   --keep         leave the last set-up running and print how to reach it
#   --quick        short traffic (1 s iperf3, few pings): the autotest
#   --seconds N    iperf3 duration per test (default 5)
#   --setups LIST  comma-separated, in order, from: stock, off, on
#                  (default stock,off,on)
#   --out DIR      where report.txt, report.json and chart.png go
#                  (default ./hypervisors-report)
#   --schema FILE  vswitch.ovsschema (default $OVS_SOURCE/vswitchd/...)
#   --stock PATH   stock ovs-vswitchd (default $OVS_BUILD/vswitchd/...)
#   --backend B    the NIC of the off/on set-ups: nicsim (default; its
#                  media are AF_PACKET sockets on the veth ends) or xdp
#                  (the XDP backend: its program on the veth ends, the
#                  VMs' ends with GRO on for the frames it redirects);
#                  with xdp, the report adds two kernel references
#                  measured first in the same run, same host vm1->vm2 on
#                  hv1's veth ends: the Linux bridge and a bare XDP
#                  redirect (utilities/ovs-offload-refs.sh; need tc,
#                  clang and gcc, else left out and said so)
#   --medium M     nicsim's media on the veth ends: afpacket (default:
#                  AF_PACKET sockets, batched) or afxdp (AF_XDP sockets
#                  on libxdp's program, copy mode on veth; needs the XDP
#                  build); the xdp backend has its own
#   --overlay T    the VMs share a logical network over a T tunnel (geneve
#                  or vxlan, VNI 100) instead of the uplink's L2: each
#                  hypervisor's uplink is in an underlay bridge br-phy
#                  with address 192.168.50.N, OVS's userspace tunnelling
#                  encapsulates (the VMs' MTU is 1400 for the headers),
#                  and the report adds the tunnel flows' state; with
#                  nicsim, each NIC's control channel carries its
#                  mappings (the other hypervisor's VMs) over SSL from the
#                  Offload database, and the report adds the channels'
#                  state and what the NICs learned on decapsulation
#   --ovn          a real OVN run instead of the OpenFlow policy
#                  (utilities/ovs-offload-ovn.sh: Debian's ovn-central and
#                  ovn-host): ovn-northd with NB and SB databases in the
#                  lab, an ovn-controller per hypervisor on its
#                  ovs-vswitchd(-offload), Geneve between the br-phy
#                  addresses (implies --overlay geneve); logical switches
#                  ls1 (vm1, vm3; 10.0.1.0/24) and ls2 (vm2, vm4;
#                  10.0.2.0/24) joined by router lr0, the VMs bound through
#                  external_ids:iface-id; the same ACL matrix as OVN ACLs,
#                  allow-stateless on ls1, allow-related on ls2.  Same
#                  host is then vm1->vm2 through the router, across hosts
#                  vm1->vm3 on ls1, plus vm2->vm4 on ls2 (conntrack); the
#                  report adds every datapath flow by kind (encap, decap,
#                  conntrack, recirculated...), offload state and reason
#
# Each hypervisor is a network namespace with its own ovsdb-server and
# ovs-vswitchd(-offload) on the userspace datapath; each VM is a namespace
# whose eth0 is a veth pair's end.  With nicsim, hypervisor N has NIC hvN
# whose uplink and VFs use the veth ends as their media and whose VF
# representors are the bridge's VM ports; with stock OVS the same veth ends
# are plain bridge ports.  The uplinks are one veth pair.  Ports are added
# as libvirt does (external_ids iface-id, attached-mac, vm-id), and the
# same OpenFlow policy runs everywhere: L2 forwarding plus an ACL that lets
# only chosen VM pairs ping and reach iperf3's port.
#
# The OVS tools, ovs-vswitchd-offload, iperf3, ping, ethtool and python3
# are taken from $PATH.  Needs root.  Exit status 0 if every set-up passed
# its checks (allowed traffic flows, denied traffic not at all: 100% ping
# loss, no iperf3 connection; NIC counters conserve packets, and with
# offload on, flows are offloaded; with --ovn, the ACL's drop flows
# dropped the denied packets, and with offload on the NIC holds flows,
# fully or in part).

set -o pipefail

keep=false quick=false seconds=5 setups=stock,off,on out=$PWD/hypervisors-report
backend=nicsim overlay= ovn=false nicsim_medium=afpacket
schema=${OVS_SOURCE:+$OVS_SOURCE/vswitchd/vswitch.ovsschema}
# The extension's own Offload database, served beside Open_vSwitch.
offload_schema=$(cd "$(dirname "$0")/.." && pwd)/ovsdb-schema/offload.ovsschema
stock=${OVS_BUILD:+$OVS_BUILD/vswitchd/ovs-vswitchd}

die() { echo "ovs-offload-hypervisors: error: $*" >&2; exit 1; }
say() { echo "ovs-offload-hypervisors: $*"; }

while [ $# -gt 0 ]; do
    case $1 in
        --keep) keep=true ;;
        --quick) quick=true ;;
        --seconds) seconds=$2; shift ;;
        --setups) setups=$2; shift ;;
        --out) out=$2; shift ;;
        --schema) schema=$2; shift ;;
        --stock) stock=$2; shift ;;
        --backend) backend=$2; shift ;;
        --medium) nicsim_medium=$2; shift ;;
        --overlay) overlay=$2; shift ;;
        --ovn) ovn=true ;;
        -h|--help) sed -n '3,74p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
    shift
done

case $seconds in ''|*[!0-9]*|0) die "--seconds wants a positive number" ;; esac
for s in ${setups//,/ }; do
    case $s in
        stock|off|on) ;;
        *) die "--setups: unknown set-up '$s' (stock, off, on)" ;;
    esac
done
[ -n "${setups//,/}" ] || die "--setups is empty"
# The NIC type, the medium of its ports and its show command.
case $backend in
    nicsim) medium=$nicsim_medium ;;
    xdp) medium=xdp ;;
    *) die "--backend: unknown backend '$backend' (nicsim, xdp)" ;;
esac
case $nicsim_medium in
    afpacket|afxdp) ;;
    *) die "--medium: unknown medium '$nicsim_medium' (afpacket, afxdp)" ;;
esac
[ $backend = nicsim ] || [ $nicsim_medium = afpacket ] || \
    die "--medium is nicsim's; the xdp backend has its own program"
case $overlay in
    ''|geneve|vxlan) ;;
    *) die "--overlay: unknown tunnel type '$overlay' (geneve, vxlan)" ;;
esac
if $ovn; then
    [ "${overlay:-geneve}" = geneve ] || die "--ovn tunnels with Geneve, not '$overlay'"
    overlay=geneve
fi
[ "$(id -u)" = 0 ] || die "must run as root (it creates network namespaces)"
[ -f "$schema" ] || die "no OVS schema; set OVS_SOURCE or pass --schema"
[ -f "$offload_schema" ] || die "no Offload schema at $offload_schema"
case ",$setups," in
    *,stock,*) [ -x "$stock" ] || die "no stock ovs-vswitchd; set OVS_BUILD or pass --stock" ;;
esac
for tool in ovsdb-tool ovsdb-server ovs-vsctl ovs-appctl ovs-ofctl \
            ovs-vswitchd-offload ip ping iperf3 ethtool python3; do
    command -v $tool >/dev/null || die "$tool is not in PATH"
done
if $quick; then
    seconds=1 pings=5
else
    pings=50
fi
mkdir -p "$out" || die "cannot create $out"
out=$(cd "$out" && pwd)

# The kernel references of --backend xdp.
. "$(dirname "$0")/ovs-offload-refs.sh" || die "no ovs-offload-refs.sh"
# The OVN control plane of --ovn.
if $ovn; then
    . "$(dirname "$0")/ovs-offload-ovn.sh" || die "no ovs-offload-ovn.sh"
    ovn_check || die "--ovn needs OVN"
fi

# Names carry the PID so that concurrent runs (parallel tests) do not
# collide; they stay short for interface names.
tag=oh$$
lab=$(mktemp -d /tmp/ovs-offload-hypervisors.XXXXXX) || die "mktemp failed"
hvs="hv1 hv2"
vms="vm1 vm2 vm3 vm4"
vm_hv() { case $1 in vm1|vm2) echo hv1 ;; *) echo hv2 ;; esac; }
vm_n() { echo "${1#vm}"; }
vm_ip() { echo "10.0.0.$(vm_n $1)"; }
vm_mac() { echo "52:54:00:00:00:0$(vm_n $1)"; }
vm_vf() { case $1 in vm1|vm3) echo 0 ;; *) echo 1 ;; esac; }
vm_ofport() { echo $(($(vm_vf $1) + 2)); }
vm_dev() { echo "${tag}v$(vm_n $1)"; }      # The hypervisor's end.
hv_up() { echo "${tag}u${1#hv}"; }
hv_underlay() { echo "192.168.50.${1#hv}"; }   # With --overlay.
hv_other() { [ $1 = hv1 ] && echo hv2 || echo hv1; }
# With --ovn the VMs are on two logical switches, behind lr0.
if $ovn; then
    vm_ip() { ovn_vm_ip $1; }
fi

# The ACL: pairs that may ping each other and reach iperf3 (TCP 5201).
allowed="vm1:vm2 vm1:vm3 vm2:vm4"

# Writes the tear-down script first, so that an interruption at any point
# removes exactly what was created.
cat >"$lab/teardown.sh" <<TEARDOWN
#!/bin/bash
for hv in $hvs; do
    for t in ovs-vswitchd-offload ovs-vswitchd ovsdb-server; do
        OVS_RUNDIR=$lab/\$hv ovs-appctl -t \$t exit >/dev/null 2>&1
    done
done
sleep 0.3
for p in $lab/*.pid $lab/*/*.pid; do [ -f "\$p" ] && kill \$(cat "\$p") 2>/dev/null; done
for ns in $hvs $vms; do
    ip netns pids $tag-\$ns 2>/dev/null | xargs -r kill 2>/dev/null
    ip netns del $tag-\$ns 2>/dev/null
done
rm -rf $lab
TEARDOWN
chmod +x "$lab/teardown.sh"

cleanup() {
    if $keep && [ -n "$kept" ]; then
        return
    fi
    "$lab/teardown.sh"
}
kept=
trap cleanup EXIT
trap 'exit 130' INT TERM

run() { "$@" || die "failed: $*"; }
inns() { local ns=$1; shift; ip netns exec "$tag-$ns" "$@"; }
hvctl() {                       # hvctl HV TOOL ARGS...
    local hv=$1 tool=$2; shift 2
    OVS_RUNDIR=$lab/$hv OVS_LOGDIR=$lab/$hv OVS_DBDIR=$lab/$hv \
        $tool "$@"
}
# ovs-vsctl waits for ovs-vswitchd to apply a change; opening AF_XDP media
# (libxdp loads and verifies its program per interface) took more than
# 10 s for a bridge's ports under ASan beside other load.
vsctl() { local hv=$1; shift; hvctl $hv ovs-vsctl --timeout=60 "$@"; }
ofctl() { local hv=$1; shift; hvctl $hv ovs-ofctl "$@"; }
appctl() { local hv=$1; shift; hvctl $hv ovs-appctl -t "$daemon" "$@"; }
offloadctl() {
    local hv=$1; shift
    ovs-offloadctl --db=unix:"$lab/$hv/db.sock" --timeout=10 "$@"
}

# The namespaces and veth pairs, shared by every set-up.
make_topology() {
    local hv vm
    for hv in $hvs; do
        run ip netns add $tag-$hv
        run inns $hv ip link set lo up
        mkdir -p "$lab/$hv"
    done
    run ip link add $(hv_up hv1) netns $tag-hv1 type veth \
        peer name $(hv_up hv2) netns $tag-hv2
    for vm in $vms; do
        hv=$(vm_hv $vm)
        run ip netns add $tag-$vm
        run ip link add $(vm_dev $vm) netns $tag-$hv type veth \
            peer name eth0 netns $tag-$vm
        run inns $vm ip link set eth0 address $(vm_mac $vm)
        run inns $vm ip addr add $(vm_ip $vm)/24 dev eth0
        [ -n "$overlay" ] && run inns $vm ip link set eth0 mtu 1400
        run inns $vm ip link set eth0 up
        run inns $vm ip link set lo up
        $ovn && run inns $vm ip route add default via $(ovn_vm_gw $vm)
    done
    # The userspace datapath does not complete partial checksums: no
    # checksum (or segmentation) offload on any veth end.
    for hv in $hvs; do
        for dev in $(inns $hv ls /sys/class/net | grep "^$tag"); do
            run inns $hv ethtool -K $dev tx off >/dev/null
            run inns $hv ip link set $dev up
        done
    done
    for vm in $vms; do
        run inns $vm ethtool -K eth0 tx off >/dev/null
        # Frames XDP redirects into a veth need NAPI on its peer.
        [ $backend = xdp ] && run inns $vm ethtool -K eth0 gro on >/dev/null
    done
}

start_daemons() {               # start_daemons HV BINARY
    local hv=$1 binary=$2 dir=$lab/$1
    rm -f "$dir"/*.db "$dir"/*.log
    run ovsdb-tool create "$dir/conf.db" "$schema"
    run ovsdb-tool create "$dir/offload.db" "$offload_schema"
    # Their start-up chatter goes to a file, not the report.
    run inns $hv env OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir \
        ovsdb-server --detach --no-chdir --pidfile --log-file \
        -vconsole:off --remote=punix:"$dir/db.sock" "$dir/conf.db" \
        "$dir/offload.db" 2>>"$dir/start.err"
    run vsctl $hv --no-wait init
    run inns $hv env OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir \
        $binary --detach --no-chdir --pidfile --log-file -vconsole:off \
        unix:"$dir/db.sock" 2>>"$dir/start.err"
}

stop_daemons() {
    local hv
    $ovn && ovn_stop_controllers
    for hv in $hvs; do
        appctl $hv exit --cleanup >/dev/null 2>&1
        hvctl $hv ovs-appctl -t ovsdb-server exit >/dev/null 2>&1
    done
    sleep 0.3
}

# The underlay of --overlay (and --ovn) on hypervisor HV: bridge br-phy
# holds the uplink and the hypervisor's underlay address, with a route to
# the other hypervisor's.
make_underlay() {               # make_underlay HV SETUP
    local hv=$1 setup=$2 up
    up="add-br br-phy -- set Bridge br-phy datapath_type=netdev"
    if [ $setup = stock ]; then
        up="$up -- add-port br-phy $(hv_up $hv)"
    else
        up="$up -- add-port br-phy pf0 -- set Interface pf0 type=$backend options:nic=$hv options:role=uplink options:medium=$medium:$(hv_up $hv)"
    fi
    run vsctl $hv $up
    run inns $hv ip addr add $(hv_underlay $hv)/24 dev br-phy
    run inns $hv ip link set br-phy up
    run ofctl $hv add-flow br-phy actions=normal
    appctl $hv ovs/route/add $(hv_underlay $(hv_other $hv))/24 br-phy \
        >/dev/null 2>&1
}

# With --overlay on nicsim: each NIC's control channel (SSL, with a
# certificate of one ovs-pki of the lab: the endpoint and the host's
# client are in the same daemon) carries the NIC's encapsulation mappings
# from the Offload database, the other hypervisor's VMs behind its
# underlay address on VNI 100.  The NIC binds its encap rules to them and
# reports what it learns on decapsulation.
make_channel() {                # make_channel HV
    local hv=$1 vm port maps= deadline
    if [ ! -e "$lab/nic-cert.pem" ]; then
        (cd "$lab" && ovs-pki --dir="$lab/pki" --log="$lab/pki.log" init \
             && ovs-pki --dir="$lab/pki" --log="$lab/pki.log" \
                    req+sign nic switch) >/dev/null 2>&1 \
            || die "ovs-pki failed (see $lab/pki.log)"
    fi
    run vsctl $hv set-ssl "$lab/nic-privkey.pem" "$lab/nic-cert.pem" \
        "$lab/pki/switchca/cacert.pem"
    run appctl $hv nicsim/channel-listen $hv pssl:0:127.0.0.1 >/dev/null
    port=$(appctl $hv nicsim/channel-show --format json $hv | python3 -c '
import json, sys
print(json.load(sys.stdin)["port"])') || die "$hv: no channel endpoint"
    for vm in $vms; do
        [ $(vm_hv $vm) = $hv ] && continue
        maps="$maps${maps:+,}\"mac=$(vm_mac $vm) type=$overlay vni=100 remote=$(hv_underlay $(hv_other $hv))\""
    done
    # The NIC's row appears once the daemon has opened the NIC.
    deadline=$(( $(date +%s) + 30 ))
    until offloadctl $hv --if-exists get NIC $hv name 2>/dev/null \
            | grep -q .; do
        [ "$(date +%s)" -lt $deadline ] || die "$hv: no NIC row in the Offload database"
        sleep 0.1
    done
    run offloadctl $hv set NIC $hv channel="\"ssl:127.0.0.1:$port\"" \
        "mappings=$maps"
}

# The ovs-vsctl arguments that add HV's VMs to BRIDGE as libvirt does
# (external_ids iface-id, attached-mac, vm-id), OpenFlow ports 2 and 3.
vm_port_args() {                # vm_port_args HV SETUP BRIDGE
    local hv=$1 setup=$2 br=$3 vm args=
    for vm in $vms; do
        [ $(vm_hv $vm) = $hv ] || continue
        local port=$vm opts=""
        if [ $setup = stock ]; then
            port=$(vm_dev $vm)
        else
            opts="type=$backend options:nic=$hv options:role=vf options:vf=$(vm_vf $vm) options:medium=$medium:$(vm_dev $vm)"
        fi
        args="$args -- add-port $br $port -- set Interface $port $opts ofport_request=$(vm_ofport $vm) external_ids:iface-id=$vm-port external_ids:attached-mac=\"$(vm_mac $vm)\" external_ids:vm-id=$vm"
    done
    echo "$args"
}

# Bridge br0 on hypervisor HV: uplink OpenFlow port 1, its VMs 2 and 3.
# With --overlay, port 1 is the tunnel to the other hypervisor and the
# uplink is in br-phy, which holds the underlay address.
make_bridge() {                 # make_bridge HV SETUP
    local hv=$1 setup=$2 args
    args="add-br br0 -- set Bridge br0 datapath_type=netdev fail-mode=secure"
    if [ -n "$overlay" ]; then
        make_underlay $hv $setup
        args="$args -- add-port br0 tun0 -- set Interface tun0 type=$overlay ofport_request=1 options:remote_ip=$(hv_underlay $(hv_other $hv)) options:key=100"
    elif [ $setup = stock ]; then
        args="$args -- add-port br0 $(hv_up $hv) -- set Interface $(hv_up $hv) ofport_request=1"
    else
        args="$args -- add-port br0 pf0 -- set Interface pf0 type=$backend ofport_request=1 options:nic=$hv options:role=uplink options:medium=$medium:$(hv_up $hv)"
    fi
    args="$args $(vm_port_args $hv $setup br0)"
    eval "run vsctl $hv $args"
}

# The policy, the same on both hypervisors and in every set-up.
write_flows() {                 # write_flows HV > FILE
    local hv=$1 vm pair a b
    echo "table=0,priority=100,arp,actions=goto_table:1"
    for pair in $allowed; do
        a=${pair%:*} b=${pair#*:}
        for dir in "$a $b" "$b $a"; do
            set -- $dir
            echo "table=0,priority=90,icmp,nw_src=$(vm_ip $1),nw_dst=$(vm_ip $2),actions=goto_table:1"
            echo "table=0,priority=90,tcp,nw_src=$(vm_ip $1),nw_dst=$(vm_ip $2),tp_dst=5201,actions=goto_table:1"
            echo "table=0,priority=90,tcp,nw_src=$(vm_ip $1),nw_dst=$(vm_ip $2),tp_src=5201,actions=goto_table:1"
        done
    done
    echo "table=0,priority=0,actions=drop"
    for vm in $vms; do
        if [ $(vm_hv $vm) = $hv ]; then
            echo "table=1,priority=10,dl_dst=$(vm_mac $vm),actions=output:$(vm_ofport $vm)"
        else
            echo "table=1,priority=10,dl_dst=$(vm_mac $vm),actions=output:1"
        fi
    done
    echo "table=1,priority=5,dl_dst=ff:ff:ff:ff:ff:ff,actions=flood"
    echo "table=1,priority=0,actions=drop"
}

is_allowed() {
    local pair
    for pair in $allowed; do
        [ "$pair" = "$1:$2" ] || [ "$pair" = "$2:$1" ] && return 0
    done
    return 1
}

# CPU time (clock ticks) of a daemon's host threads, and separately of
# the NIC engine threads that run inside it (the "hardware").
# NIC_SYS is the engines' part in the kernel (their media's system calls).
cpu_ticks() {                   # cpu_ticks PID -> "HOST NIC NIC_SYS"
    local pid=$1 host=0 nic=0 nic_sys=0 t
    for t in /proc/$pid/task/*; do
        set -- $(sed 's/^.*) //' $t/stat 2>/dev/null)
        local n=$((${12:-0} + ${13:-0}))
        case "$(cat $t/comm 2>/dev/null)" in
            nicsim_engine*) nic=$((nic + n)) nic_sys=$((nic_sys + ${13:-0})) ;;
            *) host=$((host + n)) ;;
        esac
    done
    echo "$host $nic $nic_sys"
}

daemon_pid() { cat "$lab/$1/$daemon.pid"; }

# ovn_snapshot inside the measured window, its ovs-vswitchd CPU (dumps and
# offload/explain calls) added to $snap_ticks, which the report takes off.
snapshot_untimed() {            # snapshot_untimed SETUP (uses $pids)
    local setup=$1 p t=0
    for p in $pids; do set -- $(cpu_ticks $p); t=$((t - $1)); done
    ovn_snapshot $setup
    for p in $pids; do set -- $(cpu_ticks $p); t=$((t + $1)); done
    snap_ticks=$((snap_ticks + t))
}

# ping A -> B: prints "OK AVG_MS" when every reply came back, "BLOCKED"
# when none did, "LOSS PCT" otherwise.  A denied pair must be BLOCKED:
# some lost replies only mean a slow or busy path, not an ACL.
do_ping() {
    local a=$1 b=$2 count=$3 res loss
    # -w 5: a reply late on a sanitizer build beside other load is not a
    # lost one (ping stops at the count of replies, or at the deadline:
    # -W alone waits only two round trips once a reply has come).
    res=$(inns $a ping -c $count -i 0.01 -W 1 -w $((count / 100 + 5)) \
              $(vm_ip $b) 2>&1)
    loss=$(echo "$res" | sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p')
    case $loss in
        0) echo "OK $(echo "$res" | sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p')" ;;
        100) echo "BLOCKED" ;;
        *) echo "LOSS ${loss:-unknown}" ;;
    esac
}

# One ping A -> B answered, or 10 tries.
warm_up() {
    local i
    for i in $(seq 10); do
        inns $1 ping -c 1 -W 2 $(vm_ip $2) >/dev/null 2>&1 && return 0
    done
    return 1
}

# iperf3 A -> B (server in B): prints "OK BITS_PER_S BYTES", or "BLOCKED"
# when no test ran.  The server is stopped by the pid it wrote, so that a
# run never touches another run's iperf3.
do_iperf() {
    local a=$1 b=$2 secs=$3 json pidfile pid deadline
    # Apart: "local" expands all its words before assigning any.
    pidfile=$lab/iperf3-$b.pid
    rm -f "$pidfile"
    inns $b iperf3 -s -1 -D -B $(vm_ip $b) -I "$pidfile" >/dev/null 2>&1
    # Until it listens (at most 30 s of wall clock, however slow the
    # machine), not for a fixed time or number of tries.
    deadline=$(( $(date +%s) + 30 ))
    until [ -s "$pidfile" ] && inns $b ss -Hltn "src $(vm_ip $b):5201" \
            | grep -q .; do
        [ "$(date +%s)" -lt $deadline ] || break
        sleep 0.1
    done
    json=$(inns $a timeout $((secs + 10)) iperf3 -c $(vm_ip $b) -t $secs \
           --connect-timeout 2000 -J 2>/dev/null)
    # A one-off server that ended removed its pidfile itself.
    pid=$(cat "$pidfile" 2>/dev/null)
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null
        rm -f "$pidfile"
    fi
    echo "$json" | python3 -c '
import json, sys
try:
    j = json.load(sys.stdin)
    r = j["end"]["sum_received"]
    print("OK %d %d" % (r["bits_per_second"], r["bytes"]))
except Exception:
    print("BLOCKED")'
}

run_setup() {                   # run_setup SETUP -> writes $lab/SETUP.json
    local setup=$1 hv vm
    case $setup in
        stock) daemon=ovs-vswitchd binary=$stock ;;
        *) daemon=ovs-vswitchd-offload binary=ovs-vswitchd-offload ;;
    esac
    say "set-up $setup: starting $daemon on $hvs"
    for hv in $hvs; do
        start_daemons $hv $binary
        if [ $setup != stock ]; then
            run vsctl $hv set Open_vSwitch . other_config:hw-offload=$([ $setup = on ] && echo true || echo false)
        fi
        if $ovn; then
            ovn_make_hv $hv $setup
            continue
        fi
        make_bridge $hv $setup
        write_flows $hv > "$lab/$hv/flows.txt"
        run ofctl $hv add-flows br0 "$lab/$hv/flows.txt"
        if [ -n "$overlay" ] && [ $backend = nicsim ] && [ $setup != stock ]
        then
            make_channel $hv
        fi
    done
    $ovn && ovn_wait_up
    # Let ARP settle so that pings measure forwarding, not resolution.
    for vm in $vms; do
        inns $vm ping -c 1 -W 1 $(vm_ip vm1) >/dev/null 2>&1
    done

    local pids="" cpu0="" cpu1="" results="" snap_ticks=0
    for hv in $hvs; do pids="$pids $(daemon_pid $hv)"; done
    for p in $pids; do cpu0="$cpu0 $(cpu_ticks $p | tr ' ' ,)"; done
    local t0=$(date +%s.%N)

    # Allowed: same host and across hosts.  Each pair first gets one
    # reply (up to 10 tries of 2 s), so that the measured pings do not
    # include setting up its flows on a slow (e.g. sanitizer-built) path.
    local tests="vm1:vm2:same-host vm1:vm3:cross-host"
    # With --ovn, also across hosts on ls2 (stateful ACL, conntrack).
    $ovn && tests="$tests vm2:vm4:cross-host-ct"
    for test in $tests; do
        test=${test//:/ }
        set -- $test
        warm_up $1 $2
        local p=$(do_ping $1 $2 $pings) i=$(do_iperf $1 $2 $seconds)
        say "  $setup $3 $1->$2: ping $p; iperf3 $i"
        results="$results $3:$1:$2:ping:${p// /:} $3:$1:$2:iperf:${i// /:}"
        $ovn && snapshot_untimed $setup
    done
    local t1=$(date +%s.%N)
    for p in $pids; do cpu1="$cpu1 $(cpu_ticks $p | tr ' ' ,)"; done

    # Denied: ping within hv2, iperf3 across hosts.
    local dp=$(do_ping vm3 vm4 2) di=$(do_iperf vm2 vm3 1)
    say "  $setup denied vm3->vm4: ping $dp; vm2->vm3: iperf3 $di"
    results="$results denied:vm3:vm4:ping:${dp// /:} denied:vm2:vm3:iperf:${di// /:}"
    $ovn && ovn_snapshot $setup

    # What the NICs and the engine say.
    for hv in $hvs; do
        if [ $setup != stock ]; then
            appctl $hv $backend/show --format json > "$lab/$setup-$hv-nicsim.json"
            appctl $hv offload/flows --format json > "$lab/$setup-$hv-flows.json" 2>/dev/null \
                || echo '[]' > "$lab/$setup-$hv-flows.json"
            appctl $hv offload/show --format json > "$lab/$setup-$hv-offload.json" 2>/dev/null \
                || echo '{}' > "$lab/$setup-$hv-offload.json"
            appctl $hv offload/channel --format json > "$lab/$setup-$hv-channel.json" 2>/dev/null \
                || echo '{"nics": []}' > "$lab/$setup-$hv-channel.json"
        fi
        appctl $hv dpctl/dump-flows -m > "$lab/$setup-$hv-dpflows.txt" 2>&1
    done
    $ovn && ovn_flow_report $setup

    python3 - "$setup" "$lab" "$hvs" "$t0" "$t1" "$(getconf CLK_TCK)" \
        "$cpu0" "$cpu1" "$results" "$snap_ticks" <<'PY' > "$lab/$setup.json" || die "report"
import json, os, sys
setup, lab, hvs, t0, t1, hz, cpu0, cpu1, results, snap = sys.argv[1:]
hvs = hvs.split()
hz = int(hz)
def ticks(s):
    return [tuple(int(x) for x in c.split(",")) for c in s.split()]
c0, c1 = ticks(cpu0), ticks(cpu1)
# Less what --ovn's flow snapshots between the tests cost.
host = (sum(b[0] - a[0] for a, b in zip(c0, c1)) - int(snap)) / hz
nic = sum(b[1] - a[1] for a, b in zip(c0, c1)) / hz
nic_sys = sum(b[2] - a[2] for a, b in zip(c0, c1)) / hz
r = {"setup": setup, "wall_seconds": float(t1) - float(t0),
     "vswitchd_cpu_seconds": host, "nic_engine_cpu_seconds": nic,
     "nic_engine_cpu_system_seconds": nic_sys,
     "tests": []}
for item in results.split():
    kind, a, b, what, *rest = item.split(":")
    t = {"kind": kind, "from": a, "to": b, "what": what,
         "ok": rest[0] == "OK", "blocked": rest[0] == "BLOCKED"}
    if rest[0] == "LOSS":
        t["loss_pct"] = rest[1]
    if what == "ping" and t["ok"]:
        t["rtt_avg_ms"] = float(rest[1])
    if what == "iperf" and t["ok"]:
        t["bits_per_second"] = int(rest[1])
        t["bytes"] = int(rest[2])
    r["tests"].append(t)
nbytes = sum(t.get("bytes", 0) for t in r["tests"] if t["kind"] != "denied")
r["iperf_bytes"] = nbytes
r["vswitchd_cpu_ns_per_byte"] = host * 1e9 / nbytes if nbytes else None
# The NIC's engines, which forward what offload moved off the host.
r["nic_engine_cpu_ns_per_byte"] = nic * 1e9 / nbytes if nbytes else None
# Allowed traffic passed in full, denied traffic not at all.
r["acl_ok"] = all(t["blocked"] if t["kind"] == "denied" else t["ok"]
                  for t in r["tests"])
nics = {}
flows = []
for hv in hvs:
    path = os.path.join(lab, "%s-%s-nicsim.json" % (setup, hv))
    if os.path.exists(path):
        for nic in json.load(open(path)):
            rx = sum(p["rx_packets"] for p in nic["ports"])
            fwd = sum(p["forwarded"] for p in nic["ports"])
            bad = [p["port"] for p in nic["ports"]
                   if p["rx_packets"] != p["forwarded"]
                   + sum(p["to_host"].values()) + sum(p["dropped"].values())]
            # The media's own losses (AF_XDP's full rings, a socket's
            # errors) happen before the NIC counts a packet received.
            media = sorted({p["medium"].split(":")[0]
                            for p in nic["ports"] if p.get("medium")})
            nics[nic["name"]] = {"rx_packets": rx, "forwarded": fwd,
                                 "conservation_violations": bad,
                                 "media": media,
                                 "medium_rx_errors": sum(
                                     p.get("rx_errors", 0)
                                     for p in nic["ports"])}
    path = os.path.join(lab, "%s-%s-flows.json" % (setup, hv))
    if os.path.exists(path):
        for f in json.load(open(path)):
            f["hypervisor"] = hv
            flows.append(f)
r["nics"] = nics
rx = sum(n["rx_packets"] for n in nics.values())
r["nic_share"] = (sum(n["forwarded"] for n in nics.values()) / rx
                  if rx else None)
r["conservation_ok"] = all(not n["conservation_violations"]
                           for n in nics.values())
r["flows"] = flows
r["offloaded_flows"] = sum(1 for f in flows if f["state"] == "offloaded")
# With --overlay: the tunnel flows (encap: tnl_push, decap: tnl_pop).
tun = {}
for f in flows:
    for kind in ("tnl_push", "tnl_pop"):
        if kind in f.get("actions", ""):
            tun.setdefault(kind, {}).setdefault(f["state"], 0)
            tun[kind][f["state"]] += 1
r["tunnel_flows"] = tun
# With --overlay on nicsim: each NIC's control channel, its mappings and
# what it learned on decapsulation.
chan = {}
for hv in hvs:
    path = os.path.join(lab, "%s-%s-channel.json" % (setup, hv))
    if not os.path.exists(path):
        continue
    for c in json.load(open(path))["nics"]:
        chan[c["nic"]] = {
            "state": c["state"], "configured": len(c["mappings"]),
            "confirmed": c["confirmed"],
            "learned": [l["mapping"] for l in c.get("learned", [])]}
r["channel"] = chan
r["encap_mapping_refused"] = sum(1 for f in flows
                                 if f["reason"] == "encap-mapping")
# With --ovn: every datapath flow by kind, state and reason.
path = os.path.join(lab, setup + "-ovn.json")
if os.path.exists(path):
    r["ovn"] = json.load(open(path))
json.dump(r, sys.stdout, indent=2)
PY
    if $keep && [ $setup = "${setups##*,}" ]; then
        kept=$setup
    else
        stop_daemons
    fi
}

# refs_measure NAME: a reference's ping and iperf3 vm1 -> vm2, appended
# to $lab/refs.txt as "NAME PING IPERF" (do_ping's and do_iperf's words
# joined by colons).
refs_measure() {
    local p i
    warm_up vm1 vm2
    p=$(do_ping vm1 vm2 $pings)
    i=$(do_iperf vm1 vm2 $seconds)
    say "  reference $1 vm1->vm2: ping $p; iperf3 $i"
    echo "$1 ${p// /:} ${i// /:}" >> "$lab/refs.txt"
}

# Before any daemon takes hv1's veth ends.
run_refs() {
    local tool
    for tool in tc clang gcc; do
        command -v $tool >/dev/null || {
            say "references left out: $tool is not in PATH"
            return
        }
    done
    : > "$lab/refs.txt"
    say "references: the kernel alone, same host vm1->vm2"
    refs_bridge $tag-hv1 $(vm_dev vm1) $(vm_dev vm2) ${tag}br refs_measure \
        || say "  no Linux bridge reference"
    refs_redirect $tag-hv1 $(vm_dev vm1) $(vm_dev vm2) "$lab" refs_measure \
        || say "  no bare XDP redirect reference"
}

say "lab in $lab"
make_topology
[ $backend = xdp ] && run_refs
if $ovn; then
    say "OVN: ovn-northd, NB and SB databases in $lab/ovn"
    ovn_start_central
    ovn_configure
fi
for setup in ${setups//,/ }; do
    run_setup $setup
done

python3 - "$out" "$lab" "$setups" "$quick" "$backend" "$overlay" "$tag" \
    "$medium" <<'PY'
import json, os, sys
out, lab, setups, quick = sys.argv[1], sys.argv[2], sys.argv[3].split(","), sys.argv[4] == "true"
backend = sys.argv[5]
overlay = sys.argv[6]
tag = sys.argv[7]
medium = sys.argv[8]
runs = {s: json.load(open(os.path.join(lab, s + ".json"))) for s in setups}
suffix = {"nicsim": "", "xdp": " (xdp)"}[backend]
if medium == "afxdp":
    suffix = " (nicsim, AF_XDP media)"
names = {"stock": "stock OVS (veth ports)",
         "off": "ovs-offload, offload off" + suffix,
         "on": "ovs-offload, offload on" + suffix}
def test(r, kind, what):
    for t in r["tests"]:
        if t["kind"] == kind and t["what"] == what:
            return t
    return {}
lines = []
p = lines.append
p("Two hypervisors, four VMs: vm1, vm2 on hv1; vm3, vm4 on hv2.")
p("ACL: ping and TCP 5201 allowed for vm1-vm2, vm1-vm3, vm2-vm4 only.")
if any("ovn" in r for r in runs.values()):
    p("OVN: ls1 (vm1, vm3; allow-stateless) and ls2 (vm2, vm4; allow-related)")
    p("joined by router lr0, Geneve between the chassis: same host is vm1->vm2")
    p("through the router, across hosts vm1->vm3 on ls1.")
p("")
p("%-28s %10s %10s %9s %9s %10s %10s %8s %6s" % (
    "set-up", "same Gb/s", "cross Gb/s", "same ms", "cross ms",
    "cpu s", "cpu ns/B", "NIC %", "ACL"))
base = runs.get("stock")
for s in setups:
    r = runs[s]
    sh, cr = test(r, "same-host", "iperf"), test(r, "cross-host", "iperf")
    sp, cp = test(r, "same-host", "ping"), test(r, "cross-host", "ping")
    f = lambda t, k, d: ("%.3f" % (t[k] / d)) if k in t else "FAIL"
    p("%-28s %10s %10s %9s %9s %10.2f %10s %8s %6s" % (
        names[s], f(sh, "bits_per_second", 1e9), f(cr, "bits_per_second", 1e9),
        f(sp, "rtt_avg_ms", 1), f(cp, "rtt_avg_ms", 1),
        r["vswitchd_cpu_seconds"],
        "%.2f" % r["vswitchd_cpu_ns_per_byte"] if r["vswitchd_cpu_ns_per_byte"] else "-",
        "%.1f" % (100 * r["nic_share"]) if r["nic_share"] is not None else "-",
        "ok" if r["acl_ok"] else "BROKEN"))
ratios = {}
if base:
    p("")
    p("Ratios against stock OVS (>1 is better for throughput, and for "
      "latency and CPU means that much less):")
    for s in setups:
        if s == "stock":
            continue
        r = runs[s]
        rr = {}
        for kind in ("same-host", "cross-host"):
            a, b = test(r, kind, "iperf"), test(base, kind, "iperf")
            if "bits_per_second" in a and "bits_per_second" in b:
                rr[kind + " throughput"] = a["bits_per_second"] / b["bits_per_second"]
            a, b = test(r, kind, "ping"), test(base, kind, "ping")
            if "rtt_avg_ms" in a and "rtt_avg_ms" in b and a["rtt_avg_ms"]:
                rr[kind + " latency"] = b["rtt_avg_ms"] / a["rtt_avg_ms"]
        if r["vswitchd_cpu_ns_per_byte"] and base["vswitchd_cpu_ns_per_byte"]:
            rr["vswitchd CPU per byte"] = (base["vswitchd_cpu_ns_per_byte"]
                                           / r["vswitchd_cpu_ns_per_byte"])
        elif base["vswitchd_cpu_ns_per_byte"]:
            rr["vswitchd CPU per byte"] = float("inf")
        ratios[s] = rr
        p("  %-26s %s" % (names[s], ", ".join("%s %.2fx" % kv for kv in rr.items())))
    # Issue 15: what a byte costs the NIC's engines, against what it costs
    # stock OVS's datapath, in the same run (target at most 0.5x).
    for s in setups:
        r = runs[s]
        nic_b, ovs_b = (r.get("nic_engine_cpu_ns_per_byte"),
                        base["vswitchd_cpu_ns_per_byte"])
        if s == "stock" or not nic_b or not ovs_b:
            continue
        ratios[s]["NIC engine CPU per byte / stock datapath's"] = nic_b / ovs_b
        p("  %-26s NIC engines %.2f ns/B (%.0f%% in the kernel) against "
          "stock OVS's datapath %.2f ns/B: %.2fx (target at most 0.5x)" % (
              names[s], nic_b,
              100 * r["nic_engine_cpu_system_seconds"]
              / r["nic_engine_cpu_seconds"], ovs_b, nic_b / ovs_b))
for s in setups:
    r = runs[s]
    if not r["flows"]:
        continue
    p("")
    p("Datapath flows, %s (%d offloaded):" % (names[s], r["offloaded_flows"]))
    for f in r["flows"]:
        why = "" if f["reason"] == "none" else " (%s%s)" % (
            f["reason"], ": " + f["detail"] if f["detail"] else "")
        p("  %s %-9s %-10s%s  %s -> %s" % (f["hypervisor"], f["nic_port"].split("/")[1],
                                       f["state"], why, f["match"][:70], f["actions"]))
for s in setups:
    r = runs[s]
    if r.get("tunnel_flows"):
        p("")
        p("Tunnel flows, %s: %s" % (names[s], "; ".join(
            "%s (%s): %s" % (k, "encap" if k == "tnl_push" else "decap",
                             ", ".join("%d %s" % (n, st) for st, n
                                       in sorted(v.items())))
            for k, v in sorted(r["tunnel_flows"].items()))))
for s in setups:
    r = runs[s]
    if not r.get("channel"):
        continue
    p("")
    p("Control channel, %s (mappings over SSL from the Offload database; "
      "flows refused as against them: %d):" % (names[s],
                                              r["encap_mapping_refused"]))
    for nic, c in sorted(r["channel"].items()):
        p("  %s: %s, %d/%d mappings confirmed; learned on decapsulation: %s"
          % (nic, c["state"], c["confirmed"], c["configured"], ", ".join(
              "%s behind %s" % (m["mac"], m["remote"]) for m in c["learned"])
             or "none"))
for s in setups:
    r = runs[s]
    if "ovn" not in r:
        continue
    o = r["ovn"]
    p("")
    p("OVN datapath flows by kind, %s (%d flows: %s):" % (
        names[s], len(o["flows"]), ", ".join(
            "%d %s" % (n, st) for st, n in sorted(o["totals"].items()))))
    for kind, states in sorted(o["by_kind"].items()):
        p("  %-36s %s" % (kind, ", ".join("%d %s" % (n, st) for st, n
                                          in sorted(states.items()))))
    p("  ACL drops: %s" % (", ".join(
        "%s from %s on %s (%s, %d packets)" % ("drop", d["vm"], d["hypervisor"],
                                               d["state"], d["packets"])
        for d in o["acl_drops"]) or "NONE"))
    ct = test(r, "cross-host-ct", "iperf"), test(r, "cross-host-ct", "ping")
    p("  ls2 (stateful ACL) vm2->vm4 across hosts: iperf3 %s Gb/s, ping %s ms" % (
        "%.3f" % (ct[0]["bits_per_second"] / 1e9) if "bits_per_second" in ct[0] else "FAIL",
        "%.3f" % ct[1]["rtt_avg_ms"] if "rtt_avg_ms" in ct[1] else "FAIL"))
for s in setups:
    r = runs[s]
    if r["nics"]:
        p("")
        p("NIC counters, %s: %s; conservation %s" % (
            names[s], ", ".join(
                "%s %d rx / %d forwarded in the NIC (media %s, %d lost "
                "in them before the NIC)" % (
                    n, v["rx_packets"], v["forwarded"], "+".join(v["media"]),
                    v["medium_rx_errors"])
                for n, v in r["nics"].items()),
            "holds" if r["conservation_ok"] else "VIOLATED"))
refs_path = os.path.join(lab, "refs.txt")
refs = {}
if os.path.exists(refs_path):
    for line in open(refs_path):
        name, ping, iperf = line.split()
        ping, iperf = ping.split(":"), iperf.split(":")
        refs[name] = {
            "rtt_avg_ms": float(ping[1]) if ping[0] == "OK" else None,
            "bits_per_second": int(iperf[1]) if iperf[0] == "OK" else None}
if refs:
    p("")
    p("References, the kernel alone on hv1's veth ends, same host vm1->vm2, "
      "measured before the set-ups (no ACL in the redirect, nor in the "
      "bridge where the kernel has no tc flower):")
    on = test(runs["on"], "same-host", "iperf") if "on" in runs else {}
    onp = test(runs["on"], "same-host", "ping") if "on" in runs else {}
    for name, r in refs.items():
        g = r["bits_per_second"]
        line = "  %-28s %10s Gb/s %9s ms" % (
            name, "%.3f" % (g / 1e9) if g else "FAIL",
            "%.3f" % r["rtt_avg_ms"] if r["rtt_avg_ms"] else "FAIL")
        rr = {}
        if g and "bits_per_second" in on:
            rr["throughput"] = on["bits_per_second"] / g
        if r["rtt_avg_ms"] and "rtt_avg_ms" in onp:
            rr["rtt"] = onp["rtt_avg_ms"] / r["rtt_avg_ms"]
        if rr:
            line += "; offload on is %s" % ", ".join(
                "%.2fx its %s" % (v, k) for k, v in rr.items())
        ratios.setdefault("on_vs_references", {})[name] = rr
        p(line)
p("")
p("CPU: ovs-vswitchd's own threads over the ping and iperf3 tests; the "
  "NIC engine threads (nicsim, the 'hardware') are not counted: %s." % ", ".join(
      "%s %.2f s" % (s, runs[s]["nic_engine_cpu_seconds"]) for s in setups if s != "stock"))
text = "\n".join(lines) + "\n"
open(os.path.join(out, "report.txt"), "w").write(text)
json.dump({"setups": runs, "ratios_vs_stock": ratios, "quick": quick,
           "backend": backend, "medium": medium,
           "overlay": overlay or None,
           "ovn": any("ovn" in r for r in runs.values()),
           "references": refs, "namespace_prefix": tag + "-"},
          open(os.path.join(out, "report.json"), "w"), indent=2,
          default=lambda x: None)
# Data for the chart: one row per set-up.
with open(os.path.join(lab, "chart.dat"), "w") as d:
    for s in setups:
        r = runs[s]
        g = lambda kind: test(r, kind, "iperf").get("bits_per_second", 0) / 1e9
        d.write('"%s" %.4f %.4f %.4f\n' % (names[s], g("same-host"), g("cross-host"),
                                         r["vswitchd_cpu_ns_per_byte"] or 0))
sys.stdout.write(text)
ok = all(r["acl_ok"] and r["conservation_ok"] for r in runs.values())
if "on" in runs and "ovn" in runs["on"]:
    # OVN's flows match conntrack state: the NIC holds some, fully or in
    # part, each of the others has its reason.
    ok = ok and any(f["state"] in ("offloaded", "partial")
                    for f in runs["on"]["flows"])
elif "on" in runs:
    ok = ok and runs["on"]["offloaded_flows"] > 0
# The channels synced every mapping; with offload on, each NIC learned the
# other hypervisor's VMs that sent to its own, and bound its encap rules
# (none refused: the mappings agree with OVS's tunnel port).
for s, r in runs.items():
    for nic, c in r.get("channel", {}).items():
        ok = ok and c["state"] == "synced" and c["confirmed"] == c["configured"]
        if s == "on":
            ok = ok and len(c["learned"]) > 0 and not r["encap_mapping_refused"]
# With --ovn, the denied pairs' packets met the ACL's drop in every set-up.
ok = ok and all(any(d["packets"] > 0 for d in r["ovn"]["acl_drops"])
                for r in runs.values() if "ovn" in r)
sys.exit(0 if ok else 3)
PY
status=$?

if command -v gnuplot >/dev/null; then
    gnuplot <<GNUPLOT 2>"$lab/gnuplot.err" || say "gnuplot failed: $(cat "$lab/gnuplot.err")"
set terminal png size 1000,480
set output "$out/chart.png"
set multiplot layout 1,2 title "ovs-offload: two hypervisors, iperf3 VM to VM"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -15 font ",9"
set ylabel "Gbit/s"
set title "iperf3 throughput"
set yrange [0:*]
plot "$lab/chart.dat" using 2:xtic(1) title "same host", '' using 3 title "across hosts"
set ylabel "ns of ovs-vswitchd CPU per byte"
set title "ovs-vswitchd CPU per byte"
plot "$lab/chart.dat" using 4:xtic(1) title "" lc rgb "#aa4444"
unset multiplot
GNUPLOT
else
    say "gnuplot not found: no chart"
fi
say "report: $out/report.txt, $out/report.json${out:+, $out/chart.png}"

if [ -n "$kept" ]; then
    cat <<EOF2

The '$kept' set-up keeps running.  Reach it with:
    OVS_RUNDIR=$lab/hv1 ovs-vsctl show
    OVS_RUNDIR=$lab/hv1 ovs-appctl -t $daemon offload/show
    OVS_RUNDIR=$lab/hv2 ovs-appctl -t $daemon dpctl/dump-flows -m
    ip netns exec $tag-vm1 ping $(vm_ip vm3)
Tear it down with:
    $lab/teardown.sh
EOF2
    $ovn && cat <<EOF2
OVN (NB, SB, northd, controllers' logs in $lab/ovn and $lab/hvN):
    ovn-nbctl --db=unix:$lab/ovn/nb.sock show
    ovn-sbctl --db=unix:$lab/ovn/sb.sock show
    ovn-appctl -t $lab/hv1/ovn-controller.\$(cat $lab/hv1/ovn-controller.pid).ctl connection-status
EOF2
fi
exit $status
