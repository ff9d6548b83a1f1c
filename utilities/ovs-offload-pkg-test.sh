#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ovs-offload-pkg-test.sh -- the packaging test: builds the Debian packages,
# installs them over a running stock Open vSwitch, passes traffic, removes
# them while OVS runs and purges them, checking each step.
#
# Usage: ovs-offload-pkg-test.sh [--debs DIR] [--check] [--no-rpm]
#                                [--keep-work]
#
#   --debs DIR   test the .deb files in DIR instead of building them
#   --check      run the unit tests in the package build (DEB_BUILD_OPTIONS
#                nocheck otherwise)
#   --no-rpm     do not build the RPM (otherwise built with rpmbuild, when
#                the rpm package is installed, on the OVS tree of the
#                Debian build, and its contents checked; not installed)
#   --keep-work  keep the work directory (build tree, packages, logs)
#
# Needs root, Debian 12 with network access to Debian's archive (for
# openvswitch-switch and the build dependencies) and no system Open vSwitch
# running.  Too slow for every CI run (it builds OVS 3.1.0 in the package
# build): run it by hand.  It prints one PASS/FAIL line per check and a
# summary; exit status 0 when every check passed.  At the end it stops the
# daemons it started and purges what it installed (build dependencies
# stay).  A policy-rc.d that forbids service actions (as in containers) is
# overridden for openvswitch-switch inside a private mount namespace, so
# that the maintainer scripts' restarts run as on a real host.

set -o pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

args=("$@")
debs=
check=false
keep_work=false
rpm=true

die() { echo "ovs-offload-pkg-test: error: $*" >&2; exit 1; }
say() { echo "ovs-offload-pkg-test: $*"; }

while [ $# -gt 0 ]; do
    case $1 in
        --debs) debs=$2; shift ;;
        --debs=*) debs=${1#*=} ;;
        --check) check=true ;;
        --no-rpm) rpm=false ;;
        --keep-work) keep_work=true ;;
        -h|--help) sed -n '3,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
    shift
done

[ "$(id -u)" = 0 ] || die "must run as root (it installs packages)"
[ -z "$debs" ] || debs=$(cd "$debs" && pwd) || die "no directory $debs"

# Everything below runs in a private mount namespace, where a permissive
# policy-rc.d for openvswitch-switch can be bind-mounted without changing
# the host's.
if [ -z "$OVS_OFFLOAD_PKG_TEST_NS" ]; then
    export OVS_OFFLOAD_PKG_TEST_NS=1
    exec unshare --mount --propagation private -- "$0" "${args[@]}"
fi

OVS_CTL=/usr/share/openvswitch/scripts/ovs-ctl
STOCK=/usr/lib/openvswitch-switch/ovs-vswitchd
OURS=/usr/lib/ovs-offload/ovs-vswitchd
RUNDIR=/var/run/openvswitch
BR=brpkgtest
TAG=pkgt$$
export DEBIAN_FRONTEND=noninteractive

start_time=$(date +%s)
work=$(mktemp -d /tmp/ovs-offload-pkg-test.XXXXXX) || die "mktemp failed"
log=$work/log
say "work directory $work, log $log"

n_pass=0
n_fail=0
failed=
pass() { n_pass=$((n_pass + 1)); echo "PASS: $*"; }
fail() { n_fail=$((n_fail + 1)); failed="$failed
  $*"; echo "FAIL: $*"; }
# check DESCRIPTION COMMAND...: one check, its output in the log.
check() {
    local what=$1
    shift
    echo "### $what: $*" >>"$log"
    if "$@" >>"$log" 2>&1; then pass "$what"; else fail "$what"; fi
}
# wait_for SECONDS COMMAND...: until COMMAND succeeds.
wait_for() {
    local deadline=$(( $(date +%s) + $1 ))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt $deadline ] || return 1
        sleep 0.5
    done
}
run() { echo "### $*" >>"$log"; "$@" >>"$log" 2>&1; }

installed() {
    dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null \
        | grep -q 'install ok installed'
}
known() {
    dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -qv '^unknown'
}
daemon_running() {
    local pid
    [ -f "$RUNDIR/$1.pid" ] && pid=$(cat "$RUNDIR/$1.pid") \
        && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}
alternative() {
    update-alternatives --query ovs-vswitchd 2>/dev/null \
        | sed -n 's/^Value: //p'
}
version_is_ours() { ovs-appctl --timeout=5 version | grep -q ovs-offload; }
version_is_stock() {
    ovs-appctl --timeout=5 version >/dev/null && ! version_is_ours
}
offload_served() {
    ovsdb-client --timeout=5 list-dbs unix:$RUNDIR/db.sock | grep -qx Offload
}
conf_kept() {
    [ "$(ovs-vsctl --timeout=5 get Open_vSwitch . \
            external_ids:ovs-offload-pkgtest 2>/dev/null | tr -d '"')" = kept ] \
        && ovs-vsctl --timeout=5 br-exists $BR
}

# Refuse to disturb a system Open vSwitch or an installed ovs-offload.
for d in ovsdb-server ovs-vswitchd; do
    ! daemon_running $d || die "a system $d runs (pidfile in $RUNDIR); stop it first"
done
for p in ovs-offload-switch ovs-offload-common; do
    ! known $p || die "$p is installed or left configured; purge it first"
done

# What the test installs, to purge it at the end; build dependencies stay.
packages_before=$(dpkg-query -W -f='${Package} ${Status}\n' \
                  | awk '/install ok installed/ {print $1}' | sort)
etc_ovs_existed=false
[ -e /etc/openvswitch ] && etc_ovs_existed=true

cleanup() {
    trap - EXIT INT TERM
    say "cleaning up"
    if command -v ovs-vsctl >/dev/null && daemon_running ovsdb-server; then
        ovs-vsctl --timeout=10 --if-exists del-br $BR >>"$log" 2>&1
    fi
    for i in 1 2; do
        ip netns del $TAG-vm$i 2>/dev/null
        ip link del $TAG-$i 2>/dev/null
    done
    [ -x $OVS_CTL ] && $OVS_CTL stop >>"$log" 2>&1
    for p in ovs-offload-switch ovs-offload-common; do
        known $p && apt-get purge -y -q $p >>"$log" 2>&1
    done
    local now
    now=$(dpkg-query -W -f='${Package} ${Status}\n' \
          | awk '/install ok installed/ {print $1}' | sort)
    local new
    new=$(comm -13 <(echo "$packages_before") <(echo "$now"))
    if [ -n "$new" ]; then
        say "purging what the test installed: $(echo $new)"
        apt-get purge -y -q $new >>"$log" 2>&1
    fi
    if ! $etc_ovs_existed && ! known openvswitch-switch; then
        rm -rf /etc/openvswitch /var/log/openvswitch /var/lib/openvswitch
    fi
    rm -rf $RUNDIR
    if $keep_work; then
        say "kept $work"
    else
        cp "$log" /tmp/ovs-offload-pkg-test.log 2>/dev/null
        rm -rf "$work"
        say "log kept in /tmp/ovs-offload-pkg-test.log"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A policy-rc.d that denies everything (containers) would keep the
# maintainer scripts from restarting the service: allow openvswitch-switch,
# ask the host's policy about everything else.
if [ -x /usr/sbin/policy-rc.d ]; then
    cp /usr/sbin/policy-rc.d "$work/policy-rc.d.host"
    cat >"$work/policy-rc.d" <<EOF
#!/bin/sh
for arg; do
    [ "\$arg" = openvswitch-switch ] && exit 0
done
exec $work/policy-rc.d.host "\$@"
EOF
    chmod +x "$work/policy-rc.d"
    mount --bind "$work/policy-rc.d" /usr/sbin/policy-rc.d \
        || die "cannot bind-mount a policy-rc.d"
    say "policy-rc.d: openvswitch-switch allowed in this mount namespace"
fi

## ----- ##
## build ##
## ----- ##

if [ -z "$debs" ]; then
    say "building the packages (OVS 3.1.0 and ovs-offload; several minutes)"
    missing=
    for p in build-essential dpkg-dev debhelper fakeroot lintian \
             openvswitch-source autoconf automake libtool pkg-config \
             python3 libssl-dev libcap-ng-dev check; do
        installed $p || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        say "installing build dependencies:$missing"
        run apt-get update -q
        run apt-get install -y -q --no-install-recommends $missing \
            || die "cannot install$missing; see $log"
    fi
    version=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$top/debian/changelog")
    src=$work/ovs-offload-$version
    mkdir -p "$src"
    (cd "$top" && git ls-files -z --cached --others --exclude-standard \
         | tar --null -T - -cf -) | tar -xf - -C "$src" \
        || die "cannot copy the source tree"
    build_opts="parallel=$(nproc)"
    $check || build_opts="$build_opts nocheck"
    t0=$(date +%s)
    if (cd "$src" && DEB_BUILD_OPTIONS=$build_opts \
            dpkg-buildpackage -us -uc) >"$work/build.log" 2>&1; then
        pass "dpkg-buildpackage (source and binary, $(( $(date +%s) - t0 )) s)"
    else
        tail -20 "$work/build.log"
        fail "dpkg-buildpackage (see $work/build.log)"
        keep_work=true
        exit 1
    fi
    debs=$work
    changes=$(ls "$work"/*.changes | head -1)
    if lintian --fail-on error,warning -I --pedantic "$changes" \
            >"$work/lintian.log" 2>&1; then
        pass "lintian (no errors or warnings; --pedantic -I tags in the log)"
    else
        cat "$work/lintian.log"
        fail "lintian"
    fi
    cat "$work/lintian.log" >>"$log"

    # The RPM, on the OVS tree the Debian build made: built and listed
    # (installing it is for a RHEL host).
    if $rpm && command -v rpmbuild >/dev/null; then
        mkdir -p "$work/rpm/SOURCES"
        (cd "$top" && git ls-files -z --cached --others --exclude-standard \
             | tar --null -T - --transform "s,^,ovs-offload-$version/," \
                   -czf "$work/rpm/SOURCES/ovs-offload-$version.tar.gz")
        cp /usr/src/openvswitch/openvswitch.tar.gz \
           "$work/rpm/SOURCES/openvswitch-3.1.0.tar.gz"
        if rpmbuild -bb --nodeps --define "_topdir $work/rpm" \
                --define "ovs_source $src/debian/build-ovs/src" \
                --define "ovs_build $src/debian/build-ovs/build" \
                "$top/rhel/ovs-offload.spec" >"$work/rpmbuild.log" 2>&1; then
            pass "rpmbuild rhel/ovs-offload.spec"
        else
            tail -20 "$work/rpmbuild.log"
            fail "rpmbuild (see $work/rpmbuild.log)"
        fi
        rpmfile=$(ls "$work"/rpm/RPMS/*/ovs-offload-*.rpm 2>/dev/null | head -1)
        rpm_has_all() {
            local f list
            list=$(rpm -qpl "$rpmfile" 2>/dev/null) || return 1
            echo "$list"
            for f in /usr/sbin/ovs-vswitchd-offload /usr/bin/ovs-offloadctl \
                     /usr/share/ovs-offload/offload.ovsschema \
                     /usr/lib/ovs-offload/ovs-vswitchd \
                     /usr/lib/ovs-offload/ovs-offload-db \
                     /usr/lib/ovs-offload/daemon/ovs-vswitchd \
                     /usr/lib/systemd/system/ovsdb-server.service.d/ovs-offload.conf \
                     /usr/lib/systemd/system/ovs-vswitchd.service.d/ovs-offload.conf \
                     /usr/share/man/man8/ovs-vswitchd-offload.8 \
                     /usr/share/man/man8/ovs-offloadctl.8 \
                     /usr/share/man/man5/ovs-offload.conf.db.5; do
                echo "$list" | grep -qx "$f" || { echo "missing: $f"; return 1; }
            done
        }
        check "RPM contents (rpm -qpl $(basename "$rpmfile"))" rpm_has_all
    fi
fi
# Build dependencies installed above stay.
packages_before=$(dpkg-query -W -f='${Package} ${Status}\n' \
                  | awk '/install ok installed/ {print $1}' | sort)
deb_switch=$(ls "$debs"/ovs-offload-switch_*.deb 2>/dev/null | head -1)
deb_common=$(ls "$debs"/ovs-offload-common_*.deb 2>/dev/null | head -1)
[ -n "$deb_switch" ] && [ -n "$deb_common" ] \
    || die "no ovs-offload-switch and ovs-offload-common .deb in $debs"

## ------------------------------------- ##
## stock Open vSwitch, started by ovs-ctl ##
## ------------------------------------- ##

if ! installed openvswitch-switch; then
    say "installing openvswitch-switch from Debian"
    run apt-get update -q
    check "apt-get install openvswitch-switch" \
        apt-get install -y -q openvswitch-switch
fi
run $OVS_CTL --system-id=random start
check "stock OVS runs (ovs-ctl start)" wait_for 30 version_is_stock
check "stock ovs-vswitchd is the alternative" \
    test "$(alternative)" = $STOCK
# Configuration that must survive every step below.
check "configuration set in conf.db" \
    ovs-vsctl --timeout=10 set Open_vSwitch . \
        external_ids:ovs-offload-pkgtest=kept \
    -- add-br $BR -- set Bridge $BR datapath_type=netdev \
        fail-mode=standalone

## --------------------------------------- ##
## install over the running stock OVS      ##
## --------------------------------------- ##

say "installing $(basename "$deb_common") $(basename "$deb_switch")"
check "apt-get install ./ovs-offload-*.deb over running OVS" \
    apt-get install -y -q "$deb_common" "$deb_switch"
check "ovs-offload-switch is the ovs-vswitchd alternative" \
    test "$(alternative)" = $OURS
check "service restarted on ovs-vswitchd-offload (ovs-appctl version)" \
    wait_for 30 version_is_ours
ovs-appctl --timeout=5 version | head -1
check "conf.db kept across the install" conf_kept
# How Debian's ovs-ctl reads the daemon's version: noted, not checked (the
# daemon's version strings are not the packaging's).
notes=
note() { notes="$notes
  $*"; echo "NOTE: $*"; }
ver=$(ovs-vsctl --timeout=5 get Open_vSwitch . ovs_version 2>/dev/null)
case $ver in
    '"3.1.0"') ;;
    *) note "Open_vSwitch ovs_version as ovs-ctl recorded it: $ver" \
            "(ovs-ctl takes the last word of every '--version' line naming Open vSwitch)" ;;
esac
check "/etc/openvswitch/offload.db created" test -f /etc/openvswitch/offload.db
check "ovsdb-server serves the Offload database" wait_for 10 offload_served
dpkg -L ovs-offload-switch ovs-offload-common | sort -u >"$work/files"
check "Offload configuration set (ovs-offloadctl)" \
    ovs-offloadctl --timeout=10 set Offload . min_pps=7

## ----------------------------------------- ##
## stop and start through Debian's ovs-ctl   ##
## ----------------------------------------- ##

echo "### $OVS_CTL stop" >>"$log"
$OVS_CTL stop >"$work/stop.out" 2>&1
cat "$work/stop.out" >>"$log"
if grep -q "Killing ovs-vswitchd" "$work/stop.out"; then
    note "ovs-ctl stop sent SIGTERM instead of 'ovs-appctl exit': it takes" \
         "the last word of 'ovs-appctl version' ($(ovs-vswitchd-offload --version | head -1 | awk '{print $NF}')) for the OVS version, older than 2.5.90"
fi
check "ovs-ctl start on the extension" $OVS_CTL --system-id=random start
check "ovs-appctl version names ovs-offload" wait_for 30 version_is_ours
check "Offload database served after ovs-ctl start" wait_for 10 offload_served
check "Offload configuration kept" \
    test "$(ovs-offloadctl --timeout=10 get Offload . min_pps)" = 7

## ------------------------------------ ##
## nicsim ports and a ping through them ##
## ------------------------------------ ##

ping_ok() {
    ip netns exec $TAG-vm1 ping -c 3 -i 0.2 -W 2 10.98.0.2
}
setup_vms() {
    local i
    ovs-vsctl --timeout=10 add-port $BR ${TAG}pf -- set Interface ${TAG}pf \
        type=nicsim options:nic=${TAG}nic options:role=uplink \
        options:medium=none || return 1
    for i in 1 2; do
        ip netns add $TAG-vm$i || return 1
        ip link add $TAG-$i type veth peer name eth0 netns $TAG-vm$i \
            || return 1
        ip -n $TAG-vm$i link set eth0 address 52:54:00:98:00:0$i
        ip -n $TAG-vm$i addr add 10.98.0.$i/24 dev eth0
        ip -n $TAG-vm$i link set eth0 up
        ip -n $TAG-vm$i link set lo up
        ip netns exec $TAG-vm$i ethtool -K eth0 tx off >/dev/null
        ip link set $TAG-$i up
        ovs-vsctl --timeout=10 add-port $BR ${TAG}vf$i \
            -- set Interface ${TAG}vf$i type=nicsim \
               options:nic=${TAG}nic options:role=vf options:vf=$i \
               options:medium=afpacket:$TAG-$i \
               external_ids:iface-id=vm$i \
               external_ids:attached-mac=52:54:00:98:00:0$i || return 1
    done
}
check "bridge $BR with nicsim ports (VFs on veth, afpacket)" setup_vms
check "ping between two namespaces through nicsim ports" \
    wait_for 30 ping_ok
check "ovs-offloadctl show" ovs-offloadctl --timeout=10 show
ovs-offloadctl --timeout=10 show >>"$log" 2>&1
check "ovs-appctl offload/show" ovs-appctl --timeout=10 offload/show

## --------------------------- ##
## remove while OVS runs       ##
## --------------------------- ##

check "apt-get remove while running" \
    apt-get remove -y -q ovs-offload-switch ovs-offload-common
check "stock ovs-vswitchd is the alternative again" \
    test "$(alternative)" = $STOCK
check "service restarted on stock ovs-vswitchd" wait_for 30 version_is_stock
check "conf.db kept across the removal" conf_kept
check "nicsim ports still configured" \
    ovs-vsctl --timeout=10 port-to-br ${TAG}vf1
check "offload.db kept on remove" test -f /etc/openvswitch/offload.db
check "Offload database no longer served" eval '! offload_served'

## ------- ##
## purge   ##
## ------- ##

check "apt-get purge" \
    apt-get purge -y -q ovs-offload-switch ovs-offload-common
leftover() {
    local f left=0
    while read -r f; do
        if { [ -f "$f" ] || [ -L "$f" ]; } && [ ! -d "$f" ]; then
            echo "left: $f"
            left=1
        fi
    done <"$work/files"
    for f in /usr/lib/ovs-offload /usr/share/ovs-offload \
             /usr/share/doc/ovs-offload-switch /usr/share/doc/ovs-offload-common \
             /lib/systemd/system/ovsdb-server.service.d/ovs-offload.conf \
             /etc/openvswitch/offload.db /etc/openvswitch/.offload.db.~lock~; do
        [ -e "$f" ] && { echo "left: $f"; left=1; }
    done
    ! known ovs-offload-switch && ! known ovs-offload-common && [ $left = 0 ]
}
check "nothing of ovs-offload left (dpkg -L before, files after)" leftover
check "update-alternatives lists stock ovs-vswitchd only" \
    eval "update-alternatives --query ovs-vswitchd | grep '^Alternative:' \
          | grep -qv $STOCK; test \$? = 1"
check "stock OVS still runs, conf.db kept" \
    eval 'version_is_stock && conf_kept'

## ------------------------------------------------------------- ##
## install with OVS stopped, over an Offload database of an older ##
## schema: converted offline, contents kept; then ovs-ctl start   ##
## ------------------------------------------------------------- ##

run $OVS_CTL stop
old_schema=$work/offload-0.9.ovsschema
make_old_db() {
    python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
s["version"] = "0.9.0"
s.pop("cksum", None)
del s["tables"]["Offload"]["columns"]["stats_interval"]
json.dump(s, open(sys.argv[2], "w"), indent=1)
' "$top/ovsdb-schema/offload.ovsschema" "$old_schema" || return 1
    ovsdb-tool create /etc/openvswitch/offload.db "$old_schema" || return 1
    ovsdb-tool transact /etc/openvswitch/offload.db \
        '["Offload", {"op": "insert", "table": "Offload",
                      "row": {"policy": "first-come", "min_pps": 9}}]'
}
check "an Offload database of schema 0.9.0 in place" make_old_db
check "apt-get install ./ovs-offload-*.deb with OVS stopped" \
    apt-get install -y -q "$deb_common" "$deb_switch"
check "installing started nothing" \
    eval '! daemon_running ovsdb-server && ! daemon_running ovs-vswitchd'
check "offload.db converted to the installed schema" \
    test "$(ovsdb-tool db-version /etc/openvswitch/offload.db)" = \
         "$(ovsdb-tool schema-version /usr/share/ovs-offload/offload.ovsschema)"
check "the old file kept as offload.db.backup0.9.0" \
    test -f /etc/openvswitch/offload.db.backup0.9.0
check "ovs-ctl start runs the extension" \
    eval "$OVS_CTL --system-id=random start && wait_for 30 version_is_ours"
check "converted database served, contents kept" \
    eval 'wait_for 10 offload_served &&
          test "$(ovs-offloadctl --timeout=10 get Offload . policy)" = first-come &&
          test "$(ovs-offloadctl --timeout=10 get Offload . min_pps)" = 9'
check "conf.db kept" conf_kept
check "apt-get purge while running" \
    apt-get purge -y -q ovs-offload-switch ovs-offload-common
check "service back on stock ovs-vswitchd" \
    eval "test \"\$(alternative)\" = $STOCK && wait_for 30 version_is_stock"
check "nothing of ovs-offload left after the purge" leftover
check "conf.db kept after the purge" conf_kept

elapsed=$(( $(date +%s) - start_time ))
echo
[ -z "$notes" ] || echo "ovs-offload-pkg-test: notes:$notes"
if [ $n_fail = 0 ]; then
    echo "ovs-offload-pkg-test: PASS: $n_pass passed, 0 failed ($elapsed s)"
else
    echo "ovs-offload-pkg-test: FAIL: $n_pass passed, $n_fail failed ($elapsed s):$failed"
    keep_work=true
fi
[ $n_fail = 0 ]
