#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ovs-offload-setup.sh -- install the build/test dependencies of ovs-offload
# and build the pinned Open vSwitch once into a cache outside the repository.
#
# Usage: ovs-offload-setup.sh [--print-dirs] [--no-packages]
#
# The cache lives in $OVS_OFFLOAD_CACHE (default /var/cache/ovs-offload),
# keyed by the OVS version and the Debian package version, so a second run
# reuses it.  A build is done in a temporary directory and renamed into
# place only when it is complete; an interrupted run leaves nothing that a
# later run would mistake for a finished build.
#
# On success the last two lines printed are
#   OVS_SOURCE=<dir>
#   OVS_BUILD=<dir>
# which is what configure's --with-ovs-source / --with-ovs-build want.

set -o pipefail

OVS_VERSION=3.1.0
OVS_DEB_PACKAGE=openvswitch-source
CACHE=${OVS_OFFLOAD_CACHE:-/var/cache/ovs-offload}

# Debian packages the project needs to build, test and run its demo.
PACKAGES="build-essential autoconf automake libtool pkg-config python3
          libssl-dev libcap-ng-dev check clang libclang-rt-14-dev
          iproute2 iputils-ping iperf3 hping3 ethtool procps psmisc tcpdump
          gnuplot-nox
          libbpf-dev libxdp-dev xdp-tools bpftool linux-libc-dev"

die() { echo "ovs-offload-setup: error: $*" >&2; exit 1; }
say() { echo "ovs-offload-setup: $*" >&2; }

print_only=false
install_packages=true
for arg; do
    case $arg in
        --print-dirs) print_only=true ;;
        --no-packages) install_packages=false ;;
        -h|--help) sed -n '3,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$arg' (try --help)" ;;
    esac
done

key_dir=$CACHE/ovs-$OVS_VERSION
src=$key_dir/src
build=$key_dir/build
stamp=$key_dir/.complete

if $print_only; then
    [ -f "$stamp" ] || die "no complete OVS $OVS_VERSION build in $key_dir; run $0"
    echo "OVS_SOURCE=$src"
    echo "OVS_BUILD=$build"
    exit 0
fi

[ "$(id -u)" = 0 ] || die "must run as root (it installs Debian packages and writes $CACHE)"

missing_packages() {
    local p
    for p in $PACKAGES $OVS_DEB_PACKAGE; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null \
            | grep -q 'install ok installed' || echo "$p"
    done
}

if $install_packages; then
    missing=$(missing_packages)
    if [ -n "$missing" ]; then
        say "installing: $(echo $missing)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q >/tmp/ovs-offload-apt.log 2>&1 \
            || die "apt-get update failed (no network access to Debian's archive?); see /tmp/ovs-offload-apt.log"
        apt-get install -y -q --no-install-recommends $missing \
            >>/tmp/ovs-offload-apt.log 2>&1 \
            || die "apt-get install failed (no network access to Debian's archive?); see /tmp/ovs-offload-apt.log"
    fi
fi

tarball=/usr/src/openvswitch/openvswitch.tar.gz
[ -f "$tarball" ] || die "$tarball is missing; apt-get install $OVS_DEB_PACKAGE"
deb_version=$(dpkg-query -W -f='${Version}' $OVS_DEB_PACKAGE 2>/dev/null)
case $deb_version in
    $OVS_VERSION-*) ;;
    *) die "$OVS_DEB_PACKAGE is version '$deb_version', need $OVS_VERSION-*" ;;
esac

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$deb_version" ]; then
    say "reusing OVS $OVS_VERSION ($deb_version) in $key_dir"
    echo "OVS_SOURCE=$src"
    echo "OVS_BUILD=$build"
    exit 0
fi

# The stamp is written last: a run that dies half-way leaves a directory
# without it, which the next run removes and rebuilds.  (OVS's build tree
# records its own absolute path, so it is built where it will stay.)
mkdir -p "$CACHE" || die "cannot create $CACHE"
rm -rf "$key_dir"
mkdir -p "$build" || die "cannot create $build"

say "unpacking $tarball ($deb_version)"
tar -xzf "$tarball" -C "$key_dir" && mv "$key_dir/openvswitch" "$src" \
    || { rm -rf "$key_dir"; die "cannot unpack $tarball"; }

log=$key_dir/build.log
say "configuring and building OVS $OVS_VERSION in $build (a few minutes; log in $log)"
(
    cd "$build" &&
    ../src/configure --prefix=/usr --localstatedir=/var --sysconfdir=/etc \
        --enable-ssl CFLAGS="-g -O2 -fno-omit-frame-pointer" &&
    make -j"$(nproc)" &&
    make -j"$(nproc)" tests/testsuite tests/atlocal
) >"$log" 2>&1 || die "OVS build failed; see $log"

echo "$deb_version" >"$stamp"
say "OVS $OVS_VERSION built in $key_dir"
echo "OVS_SOURCE=$src"
echo "OVS_BUILD=$build"
