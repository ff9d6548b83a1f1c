#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ovs-compat.sh -- run a documented subset of Open vSwitch's own test suite
# with ovs-vswitchd-offload standing in for ovs-vswitchd.
#
# Usage: OVS_SOURCE=DIR OVS_BUILD=DIR ovs-compat.sh --list FILE
#            --workdir DIR --path AUTOTEST_PATH [TESTSUITE-OPTIONS...]
#
# FILE (tests/ovs-compat.list) names the OVS test files to run and the
# tests left out, each with its reason.  AUTOTEST_PATH must find our daemon
# first under the name "ovs-vswitchd"; this script refuses to run OVS's
# suite against stock ovs-vswitchd by mistake.

set -o pipefail
die() { echo "ovs-compat: error: $*" >&2; exit 2; }

list= workdir= path=
while [ $# -gt 0 ]; do
    case $1 in
        --list) list=$2; shift ;;
        --workdir) workdir=$2; shift ;;
        --path) path=$2; shift ;;
        *) break ;;
    esac
    shift
done
[ -f "$list" ] || die "--list FILE is required"
[ -n "$workdir" ] || die "--workdir DIR is required"
[ -n "$path" ] || die "--path AUTOTEST_PATH is required"
[ -x "$OVS_SOURCE/tests/testsuite" ] || die "no testsuite in OVS_SOURCE ($OVS_SOURCE)"
[ -f "$OVS_BUILD/tests/atlocal" ] || die "OVS_BUILD ($OVS_BUILD) is not built"

vswitchd=$(PATH=$path command -v ovs-vswitchd) \
    || die "no ovs-vswitchd in $path"
"$vswitchd" --version | grep -q '(ovs-offload ' \
    || die "$vswitchd is not ovs-vswitchd-offload"

# OVS's suite runs from its own test directory layout; give it one that
# points at the OVS trees but keeps all output under our build tree.
rm -rf "$workdir" && mkdir -p "$workdir" || die "cannot create $workdir"
cat >"$workdir/atconfig" <<EOF2
at_testdir='tests'
abs_builddir='$workdir'
at_srcdir='$OVS_SOURCE/tests'
abs_srcdir='$OVS_SOURCE/tests'
at_top_srcdir='$OVS_SOURCE'
abs_top_srcdir='$OVS_SOURCE'
at_top_build_prefix='$OVS_BUILD/'
abs_top_builddir='$OVS_BUILD'
at_top_builddir=\$at_top_build_prefix
EXEEXT=''
AUTOTEST_PATH='tests'
SHELL=\${CONFIG_SHELL-'/bin/bash'}
EOF2
echo ". '$OVS_BUILD/tests/atlocal'" >"$workdir/atlocal"

testsuite=$OVS_SOURCE/tests/testsuite
"$testsuite" -C "$workdir" --list >"$workdir/all-tests.txt" \
    || die "cannot list OVS's tests"

# Select: the tests of each "file" line (its first N if given), less the
# "skip" lines' titles.
numbers=$(awk -v listfile="$list" '
    BEGIN {
        while ((getline line < listfile) > 0) {
            if (line ~ /^[ \t]*(#|$)/) continue
            split(line, w, /[ \t]+/)
            if (w[1] == "file") files[w[2]] = (w[3] == "" ? 1e9 : w[3] + 0)
            else if (w[1] == "skip") {
                t = line
                sub(/^skip[ \t]+/, "", t); sub(/[ \t]+--.*$/, "", t)
                skips[t] = 1
            } else { print "bad line in " listfile ": " line > "/dev/stderr"; exit 2 }
        }
    }
    /^ *[0-9]+: / {
        num = $1; sub(":", "", num)
        file = $2; sub(/:[0-9]+$/, "", file)
        title = $0; sub(/^ *[0-9]+: [^ ]+ +/, "", title)
        if ((file in files) && seen[file]++ < files[file] \
            && !(title in skips)) printf "%s ", num
    }' "$workdir/all-tests.txt") || die "bad $list"
[ -n "$numbers" ] || die "no OVS test selected by $list"

n_skipped=$(grep -c '^skip' "$list")
echo "ovs-compat: running $(echo $numbers | wc -w) OVS $("$testsuite" --version | grep -oE "[0-9]+\.[0-9]+\.[0-9]+" | head -1) tests with $vswitchd ($n_skipped left out, see $list)"
exec "$testsuite" -C "$workdir" AUTOTEST_PATH="$path" "$@" $numbers
