#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ovs-offload-sandbox.sh -- a throw-away hypervisor: ovsdb-server and
# ovs-vswitchd-offload on the userspace datapath, one bridge, and two "VMs"
# (network namespaces on veth pairs) that ping each other through it.
# ovs-vswitchd-offload runs in a namespace of its own, with the VMs' veth
# ends: the userspace datapath's tap device ("ovs-netdev") and the
# bridge's have host-wide names, which another OVS on the machine may use.
#
# Usage: ovs-offload-sandbox.sh [--keep] [--count N] [--schema FILE]
#
#   --keep       leave everything running for exploration; prints how to
#                reach the daemons and how to tear the sandbox down
#   --count N    pings per direction (default 3)
#   --schema F   vswitch.ovsschema (default: $OVS_SOURCE/vswitchd/...)
#
# The OVS tools and ovs-vswitchd-offload are taken from $PATH.  Needs root
# (network namespaces).  Exit status 0 when the VMs reached each other.

set -o pipefail

keep=false
count=3
schema=${OVS_SOURCE:+$OVS_SOURCE/vswitchd/vswitch.ovsschema}
# The extension's own Offload database, served beside Open_vSwitch.
offload_schema=$(cd "$(dirname "$0")/.." && pwd)/ovsdb-schema/offload.ovsschema

die() { echo "ovs-offload-sandbox: error: $*" >&2; exit 1; }
say() { echo "ovs-offload-sandbox: $*"; }

while [ $# -gt 0 ]; do
    case $1 in
        --keep) keep=true ;;
        --count) count=$2; shift ;;
        --schema) schema=$2; shift ;;
        -h|--help) sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
    shift
done

case $count in ''|*[!0-9]*|0) die "--count wants a positive number" ;; esac
[ "$(id -u)" = 0 ] || die "must run as root (it creates network namespaces)"
[ -f "$schema" ] || die "no OVS schema; set OVS_SOURCE or pass --schema"
[ -f "$offload_schema" ] || die "no Offload schema at $offload_schema"
for tool in ovsdb-tool ovsdb-server ovs-vsctl ovs-appctl ovs-ofctl \
            ovs-vswitchd-offload ovs-offloadctl ip ping ethtool; do
    command -v $tool >/dev/null || die "$tool is not in PATH"
done

# Names carry the PID so that concurrent sandboxes do not collide.
tag=oo$$
sandbox=$(mktemp -d /tmp/ovs-offload-sandbox.XXXXXX) || die "mktemp failed"
export OVS_RUNDIR=$sandbox OVS_LOGDIR=$sandbox OVS_DBDIR=$sandbox \
       OVS_SYSCONFDIR=$sandbox
vms="vm1 vm2"
hostns=$tag-host

# Writes the tear-down script first, so that an interruption at any point
# below removes exactly what was created.
cat >"$sandbox/teardown.sh" <<TEARDOWN
#!/bin/bash
export OVS_RUNDIR=$sandbox
pid=\$(cat $sandbox/ovs-vswitchd-offload.pid 2>/dev/null)
ovs-appctl -t ovs-vswitchd-offload exit --cleanup 2>/dev/null
# Until the daemon is gone (at most 10 s), and only then signals: a SIGTERM
# would cut its --cleanup short.
for i in \$(seq 100); do
    [ -n "\$pid" ] && kill -0 "\$pid" 2>/dev/null || break
    sleep 0.1
done
# Killed if still there; one already gone is not signalled (pid reuse).
[ -n "\$pid" ] && kill -0 "\$pid" 2>/dev/null && kill -9 "\$pid"
ovs-appctl -t ovsdb-server exit 2>/dev/null
sleep 0.2
for p in $sandbox/*.pid; do [ -f "\$p" ] && kill \$(cat "\$p") 2>/dev/null; done
for vm in $vms; do
    ip netns del $tag-\$vm 2>/dev/null
done
ip netns del $hostns 2>/dev/null
rm -rf $sandbox
TEARDOWN
chmod +x "$sandbox/teardown.sh"

cleanup() { $keep || "$sandbox/teardown.sh"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

run() { "$@" || die "failed: $*"; }

say "sandbox in $sandbox"
run ovsdb-tool create "$sandbox/conf.db" "$schema"
run ovsdb-tool create "$sandbox/offload.db" "$offload_schema"
run ovsdb-server --detach --no-chdir --pidfile --log-file -vconsole:warn \
    --remote=punix:"$sandbox/db.sock" "$sandbox/conf.db" "$sandbox/offload.db"
run ovs-vsctl --no-wait init
run ovs-offloadctl init
run ip netns add $hostns
run ip -n $hostns link set lo up
run ip netns exec $hostns \
    ovs-vswitchd-offload --detach --no-chdir --pidfile --log-file \
    -vconsole:warn unix:"$sandbox/db.sock"
version=$(ovs-appctl -t ovs-vswitchd-offload version | head -1)
say "started $version in namespace $hostns"

run ovs-vsctl add-br br0 -- set Bridge br0 datapath_type=netdev \
    fail-mode=standalone

n=0
for vm in $vms; do
    n=$((n + 1))
    ns=$tag-$vm
    mac=52:54:00:00:00:0$n
    run ip netns add $ns
    run ip link add $tag-$vm netns $hostns type veth peer name eth0 netns $ns
    run ip -n $ns link set eth0 address $mac
    run ip -n $ns addr add 10.99.0.$n/24 dev eth0
    run ip -n $ns link set eth0 up
    run ip -n $ns link set lo up
    # The userspace datapath does not complete partial checksums.
    run ip netns exec $ns ethtool -K eth0 tx off >/dev/null
    run ip -n $hostns link set $tag-$vm up
    # Attached the way libvirt attaches a VM's vif.
    run ovs-vsctl add-port br0 $tag-$vm -- set Interface $tag-$vm \
        external_ids:iface-id=$vm external_ids:attached-mac=$mac \
        external_ids:vm-id=$vm
    say "VM $vm: namespace $ns, 10.99.0.$n, port $tag-$vm"
done

status=0
if ip netns exec $tag-vm1 ping -c "$count" -i 0.2 -W 2 10.99.0.2 \
        >"$sandbox/ping12.out" 2>&1 \
   && ip netns exec $tag-vm2 ping -c "$count" -i 0.2 -W 2 10.99.0.1 \
        >"$sandbox/ping21.out" 2>&1; then
    say "vm1 <-> vm2: $(grep -h 'packets transmitted' "$sandbox"/ping*.out | head -1)"
else
    say "vm1 <-> vm2: ping FAILED"
    cat "$sandbox"/ping*.out
    status=1
fi

say "datapath flows:"
ovs-appctl -t ovs-vswitchd-offload dpctl/dump-flows | sed 's/^/    /'
say "port counters:"
ovs-ofctl dump-ports br0 | sed 's/^/    /'
say "Offload database:"
ovs-offloadctl show | sed 's/^/    /'

if $keep; then
    cat <<EOF2

The sandbox keeps running.  Reach it with:
    export OVS_RUNDIR=$sandbox
    ovs-vsctl show
    ovs-offloadctl show
    ovs-appctl -t ovs-vswitchd-offload dpif/show
    ip netns exec $tag-vm1 ping 10.99.0.2
    ip -n $hostns link          # the switch's side of the VMs' veths
Tear it down with:
    $sandbox/teardown.sh
EOF2
fi
exit $status
