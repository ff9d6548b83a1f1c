#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ovs-offload-build-afxdp.sh -- builds a second copy of the pinned OVS
# 3.1.0, from the same source, configured with --enable-afxdp (OVS's own
# "afxdp" netdev, on libbpf and libxdp), for the 64-byte packet-rate
# comparison of utilities/ovs-offload-bench-xdp.sh.  Outside the
# repository and not in CI: the project builds against the plain build.
#
# Usage: ovs-offload-build-afxdp.sh [--jobs N]
#
#   --jobs N   make -j N (default 2)
#
# Source: $OVS_SOURCE (default /var/cache/ovs-offload/ovs-3.1.0/src).
# Build: $OVS_AFXDP_BUILD (default /var/cache/ovs-offload/ovs-3.1.0-afxdp);
# a finished build (its vswitchd/ovs-vswitchd newer than its Makefile) is
# left as it is.  Prints "OVS_AFXDP_BUILD=<dir>" last.  Installs
# libbpf-dev, libxdp-dev and libnuma-dev where missing (root).

set -o pipefail
die() { echo "ovs-offload-build-afxdp: error: $*" >&2; exit 1; }
say() { echo "ovs-offload-build-afxdp: $*" >&2; }

jobs=2
while [ $# -gt 0 ]; do
    case $1 in
        --jobs) jobs=$2; shift ;;
        -h|--help) sed -n '3,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
    shift
done
case $jobs in ''|*[!0-9]*|0) die "--jobs wants a positive number" ;; esac
src=${OVS_SOURCE:-/var/cache/ovs-offload/ovs-3.1.0/src}
build=${OVS_AFXDP_BUILD:-/var/cache/ovs-offload/ovs-3.1.0-afxdp}
[ -x "$src/configure" ] || die "no configured OVS source at $src"
# OVS's AF_XDP wants libnuma too; the plain build does not.
missing=
for pkg in libbpf-dev libxdp-dev libnuma-dev; do
    dpkg -s $pkg >/dev/null 2>&1 || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
    say "installing$missing"
    { apt-get install -y -q --no-install-recommends $missing \
      || { apt-get update -q && apt-get install -y -q --no-install-recommends $missing; }; } \
        > "${TMPDIR:-/tmp}/ovs-offload-build-afxdp-apt.log" 2>&1 \
        || die "apt-get install$missing failed; see ${TMPDIR:-/tmp}/ovs-offload-build-afxdp-apt.log"
fi

mkdir -p "$build" || die "cannot create $build"
if [ ! -f "$build/Makefile" ] || ! grep -q '^#define HAVE_AF_XDP 1' "$build/config.h" 2>/dev/null; then
    say "configuring $build with --enable-afxdp"
    (cd "$build" && "$src/configure" --prefix=/usr --localstatedir=/var \
        --sysconfdir=/etc --enable-ssl --enable-afxdp \
        CFLAGS='-g -O2 -fno-omit-frame-pointer') > "$build/configure.out" 2>&1 \
        || { tail -5 "$build/configure.out" >&2; die "configure failed; see $build/configure.out"; }
fi
grep -q '^#define HAVE_AF_XDP 1' "$build/config.h" \
    || die "configure did not enable AF_XDP; see $build/configure.out"
if [ ! "$build/vswitchd/ovs-vswitchd" -nt "$build/Makefile" ]; then
    say "building ovs-vswitchd in $build (make -j$jobs)"
    # The generated headers first (a named target skips BUILT_SOURCES),
    # then only the daemon and the tools the bench uses.
    built=$(echo 'ovs_offload_print: ; @echo $(BUILT_SOURCES)' \
            | make -s -C "$build" -f Makefile -f - ovs_offload_print) \
        || die "cannot list the generated sources of $build"
    # (with the IDL headers, which are not among them).
    { make -C "$build" $built lib/vswitch-idl.h lib/ovsdb-server-idl.h \
      && make -C "$build" -j"$jobs" vswitchd/ovs-vswitchd \
             utilities/ovs-vsctl utilities/ovs-appctl utilities/ovs-ofctl; } \
        > "$build/make.out" 2>&1 \
        || { tail -5 "$build/make.out" >&2; die "make failed; see $build/make.out"; }
fi
echo "OVS_AFXDP_BUILD=$build"
