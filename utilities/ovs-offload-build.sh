#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ovs-offload-build.sh -- set up dependencies, configure and build
# ovs-offload out of tree.  Idempotent: reruns only the steps whose inputs
# changed.
#
# Usage: ovs-offload-build.sh [--builddir DIR] [--sanitizers] [--werror]
#
# Prints "BUILDDIR=<dir>", "OVS_SOURCE=<dir>" and "OVS_BUILD=<dir>" last.

set -o pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=$top/_build
configure_args=()

die() { echo "ovs-offload-build: error: $*" >&2; exit 1; }
say() { echo "ovs-offload-build: $*" >&2; }

while [ $# -gt 0 ]; do
    case $1 in
        --builddir) builddir=$2; shift ;;
        --builddir=*) builddir=${1#*=} ;;
        --sanitizers) configure_args+=(--enable-sanitizers) ;;
        --werror) configure_args+=(--enable-Werror) ;;
        -h|--help) sed -n '3,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
    shift
done

dirs=$("$top/utilities/ovs-offload-setup.sh") || exit 1
eval "$(echo "$dirs" | grep -E '^OVS_(SOURCE|BUILD)=')"
[ -n "$OVS_SOURCE" ] && [ -n "$OVS_BUILD" ] || die "setup printed no OVS directories"

if [ ! -x "$top/configure" ] || [ "$top/configure.ac" -nt "$top/configure" ] \
   || [ "$top/m4/ovs-offload.m4" -nt "$top/configure" ]; then
    say "running autoreconf"
    (cd "$top" && autoreconf -fi) >/dev/null 2>&1 \
        || { (cd "$top" && autoreconf -fi); die "autoreconf failed"; }
fi

configure_args+=(--with-ovs-source="$OVS_SOURCE" --with-ovs-build="$OVS_BUILD")
mkdir -p "$builddir" || die "cannot create $builddir"
builddir=$(cd "$builddir" && pwd)
stamp=$builddir/.configure-args
if [ ! -f "$builddir/config.status" ] \
   || [ "$top/configure" -nt "$builddir/config.status" ] \
   || [ "$(cat "$stamp" 2>/dev/null)" != "${configure_args[*]}" ]; then
    say "configuring in $builddir: ${configure_args[*]}"
    (cd "$builddir" && "$top/configure" "${configure_args[@]}") \
        >"$builddir/configure.out" 2>&1 \
        || { tail -5 "$builddir/configure.out" >&2; die "configure failed; see $builddir/configure.out"; }
    echo "${configure_args[*]}" >"$stamp"
fi

say "building in $builddir"
make -C "$builddir" -j"$(nproc)" >"$builddir/make.out" 2>&1 \
    || { grep -E 'error|Error' "$builddir/make.out" | head -20 >&2; die "make failed; see $builddir/make.out"; }
make -C "$builddir" -j"$(nproc)" check_DATA= $(: build test programs too) \
    tests/unit-tests tests/bin/ovs-vswitchd tests/testsuite \
    >>"$builddir/make.out" 2>&1 \
    || { grep -E 'error|Error' "$builddir/make.out" | head -20 >&2; die "make failed; see $builddir/make.out"; }

echo "BUILDDIR=$builddir"
echo "OVS_SOURCE=$OVS_SOURCE"
echo "OVS_BUILD=$OVS_BUILD"
