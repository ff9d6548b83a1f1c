#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ovs-offload-channel-bench.sh -- encapsulation-mapping updates per second
# over the NIC's control channel: ovs-offload-channel(8) adds, modifies and
# deletes N mappings on nicsim's endpoint, one request per mapping and in
# batches, over SSL and, in the same run, over plain TCP (the cost of the
# encryption) and one "ovs-appctl nicsim/add-mapping" per mapping (the
# daemon's own control socket, the peer without a channel).
#
# Usage: ovs-offload-channel-bench.sh [--mappings N] [--batches LIST]
#            [--schema FILE] [--out FILE]
#
#   --mappings N    mappings per phase (default 2000; nicsim holds 4096)
#   --batches LIST  comma-separated mappings per request (default 1,16,256)
#   --out FILE      also write the results as JSON to FILE
#
# Needs no root: the bridge is on the dummy datapath.  The OVS tools,
# ovs-pki, ovs-vswitchd-offload and ovs-offload-channel come from $PATH.

set -o pipefail
mappings=2000
batches=1,16,256
out=
schema=${OVS_SOURCE:+$OVS_SOURCE/vswitchd/vswitch.ovsschema}
offload_schema=$(cd "$(dirname "$0")/.." && pwd)/ovsdb-schema/offload.ovsschema

die() { echo "ovs-offload-channel-bench: error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case $1 in
        --mappings) mappings=$2; shift ;;
        --batches) batches=$2; shift ;;
        --schema) schema=$2; shift ;;
        --out) out=$2; shift ;;
        -h|--help) sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
    shift
done
case $mappings in ''|*[!0-9]*|0) die "--mappings wants a positive number" ;; esac
[ -f "$schema" ] || die "no OVS schema; set OVS_SOURCE or pass --schema"
for tool in ovsdb-tool ovsdb-server ovs-vsctl ovs-appctl ovs-pki \
            ovs-vswitchd-offload ovs-offload-channel python3; do
    command -v $tool >/dev/null || die "$tool is not in PATH"
done

dir=$(mktemp -d /tmp/ovs-offload-channel-bench.XXXXXX) || die "mktemp failed"
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir OVS_SYSCONFDIR=$dir
appctl() { ovs-appctl -t "$dir/ovs-vswitchd.ctl" "$@"; }
cleanup() {
    [ -S "$dir/ovs-vswitchd.ctl" ] && appctl exit >/dev/null 2>&1
    ovs-appctl -t ovsdb-server exit >/dev/null 2>&1
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ovsdb-tool create "$dir/conf.db" "$schema" || die "ovsdb-tool failed"
ovsdb-tool create "$dir/offload.db" "$offload_schema" || die "ovsdb-tool failed"
ovsdb-server --detach --no-chdir --pidfile --log-file \
    --remote=punix:"$dir/db.sock" "$dir/conf.db" "$dir/offload.db" \
    2>/dev/null || die "ovsdb-server did not start"
ovs-vsctl --no-wait init
ovs-vswitchd-offload --enable-dummy --detach --no-chdir \
    --pidfile="$dir/ovs-vswitchd.pid" \
    --unixctl="$dir/ovs-vswitchd.ctl" --log-file="$dir/vswitchd.log" \
    2>/dev/null || die "ovs-vswitchd-offload did not start"
(cd "$dir" && ovs-pki --dir="$dir/pki" --log="$dir/pki.log" init \
     >/dev/null 2>&1 && ovs-pki --dir="$dir/pki" --log="$dir/pki.log" \
     req+sign nic switch >/dev/null 2>&1) || die "ovs-pki failed"
ovs-vsctl set-ssl "$dir/nic-privkey.pem" "$dir/nic-cert.pem" \
    "$dir/pki/switchca/cacert.pem"
ovs-vsctl add-br bcb$$ -- set bridge bcb$$ datapath_type=dummy \
    -- add-port bcb$$ pf0 -- set Interface pf0 type=nicsim options:nic=nic0 \
       options:role=uplink options:medium=none || die "ovs-vsctl failed"
appctl nicsim/channel-listen nic0 pssl:0:127.0.0.1 >/dev/null \
    || die "pssl listen failed"
port=$(appctl nicsim/channel-show --format json nic0 \
       | python3 -c 'import json,sys; print(json.load(sys.stdin)["port"])')
ssl="-p $dir/nic-privkey.pem -c $dir/nic-cert.pem -C $dir/pki/switchca/cacert.pem ssl:127.0.0.1:$port"

# A second NIC whose endpoint is plain TCP, for the cost of SSL.
ovs-vsctl add-port bcb$$ pf1 -- set Interface pf1 type=nicsim \
    options:nic=nic1 options:role=uplink options:medium=none
appctl nicsim/channel-listen nic1 ptcp:0:127.0.0.1 >/dev/null \
    || die "ptcp listen failed"
tport=$(appctl nicsim/channel-show --format json nic1 \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["port"])')

rates() { sed -n 's/.*add \([0-9]*\)\/s, modify \([0-9]*\)\/s, delete \([0-9]*\)\/s/\1 \2 \3/p'; }

printf '%-28s %6s %12s %12s %12s\n' "transport" batch add/s modify/s delete/s
json='['
IFS=, read -ra blist <<< "$batches"
for b in "${blist[@]}"; do
    s=$(ovs-offload-channel -t 600 $ssl bench "$mappings" "$b" | rates) \
        || die "bench over SSL failed"
    t=$(ovs-offload-channel -t 600 tcp:127.0.0.1:$tport bench "$mappings" "$b" \
        | rates) || die "bench over TCP failed"
    set -- $s; sa=$1 sm=$2 sd=$3
    set -- $t; ta=$1 tm=$2 td=$3
    printf '%-28s %6s %12s %12s %12s\n' "channel over SSL" "$b" $sa $sm $sd
    printf '%-28s %6s %12s %12s %12s\n' "channel over TCP" "$b" $ta $tm $td
    printf '%-28s %6s %12s\n' "  SSL/TCP (add)" "$b" \
        "$(python3 -c "print('%.2f' % ($sa / max(1, $ta)))")"
    json="$json{\"batch\": $b, \"ssl\": [$sa, $sm, $sd], \"tcp\": [$ta, $tm, $td]},"
done

# The peer without a channel: one appctl call per mapping.
n=$((mappings < 500 ? mappings : 500))
start=$(date +%s%N)
for i in $(seq $n); do
    appctl nicsim/add-mapping nic0 mac=0a:bf:00:00:$(printf '%02x:%02x' $((i / 256)) $((i % 256))) \
        type=vxlan vni=1 remote=192.168.50.1 >/dev/null || die "add-mapping failed"
done
ns=$(( $(date +%s%N) - start ))
u=$(python3 -c "print(int($n * 1e9 / $ns))")
printf '%-28s %6s %12s\n' "ovs-appctl add-mapping" 1 "$u"
json="$json{\"batch\": 1, \"appctl_add\": $u}]"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "$out" ] && echo "$json" > "$out"
exit 0
