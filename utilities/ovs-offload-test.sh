#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ovs-offload-test.sh -- build ovs-offload and run every test suite:
#
#   1. unit        Check unit tests of lib/               (_build)
#   2. autotest    the autotest suite, tests/*.at          (_build)
#   3. fuzz        libFuzzer targets (parser, rule text), bounded time
#   4. ovs-compat  OVS 3.1's own tests against ovs-vswitchd-offload
#   5. unit-asan, autotest-asan   1 and 2 again, built with ASan+UBSan
#   6. layering    no code above the NIC interface names a backend
#                                 (_build-asan)
#
# Usage: ovs-offload-test.sh [-j N] [--no-compat] [--no-asan]
#
# Installs what it needs (as root) on the first run.  Logs go to
# _build*/test-*.log.  The last line is "N passed, N failed"
# summed over all suites; exit status 0 when nothing failed.

set -o pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(( $(nproc) + 1 ))
compat=true
asan=true

while [ $# -gt 0 ]; do
    case $1 in
        -j) jobs=$2; shift ;;
        -j*) jobs=${1#-j} ;;
        --no-compat) compat=false ;;
        --no-asan) asan=false ;;
        -h|--help) sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "ovs-offload-test: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done

total_pass=0 total_fail=0 total_skip=0
summary=()

# count SUITE LOG KIND STATUS: adds one suite's results to the totals.
# KIND is "check" (Check's "N%: Checks: N, Failures: N, Errors: N"),
# "autotest" (one "NUM: title  ok|FAILED|skipped" line per test) or "fuzz"
# (one "fuzz: TARGET: ok|FAILED" line per target).  A suite
# that failed without printing results counts as one failure.
count() {
    local suite=$1 log=$2 kind=$3 status=$4 pass=0 fail=0 skip=0 line
    local clean
    clean=$(sed 's/\x1b\[[0-9;]*m//g' "$log")
    if [ "$kind" = check ]; then
        # One summary line per Check program (unit-tests, nic-seam-tests).
        while read -r line; do
            local n f e
            n=$(echo "$line" | sed 's/.*Checks: \([0-9]*\).*/\1/')
            f=$(echo "$line" | sed 's/.*Failures: \([0-9]*\).*/\1/')
            e=$(echo "$line" | sed 's/.*Errors: \([0-9]*\).*/\1/')
            fail=$((fail + f + e)); pass=$((pass + n - f - e))
        done < <(echo "$clean" | grep -E '^[0-9]+%: Checks: ')
    elif [ "$kind" = fuzz ] || [ "$kind" = layering ]; then
        pass=$(echo "$clean" | grep -cE "^$kind: [^:]*: ok")
        fail=$(echo "$clean" | grep -cE "^$kind: [^:]*: FAILED")
    else
        pass=$(echo "$clean" | grep -cE '^ *[0-9]+: .*[[:space:]](ok|expected failure)$')
        fail=$(echo "$clean" | grep -cE '^ *[0-9]+: .*[[:space:]](FAILED \(.*\)|UNEXPECTED PASS)$')
        skip=$(echo "$clean" | grep -cE '^ *[0-9]+: .*[[:space:]]skipped \(.*\)$')
    fi
    if [ "$status" != 0 ] && [ "$fail" = 0 ]; then
        fail=1
        echo "ovs-offload-test: $suite exited with status $status; see $log"
    fi
    summary+=("$(printf '%-14s %5d passed, %d failed, %d skipped' \
                 "$suite:" "$pass" "$fail" "$skip")")
    total_pass=$((total_pass + pass))
    total_fail=$((total_fail + fail))
    total_skip=$((total_skip + skip))
}

# run SUITE BUILDDIR KIND MAKE-TARGET [MAKE-ARGS...]
run() {
    local suite=$1 builddir=$2 kind=$3 status
    shift 3
    local log=$builddir/test-$suite.log
    echo "ovs-offload-test: running $suite (log: $log)"
    make -C "$builddir" --no-print-directory "$@" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    count "$suite" "$log" "$kind" "$status"
}

# build NAME BUILD-ARGS...: on failure counts one failed suite and returns 1.
build() {
    local name=$1 out
    shift
    if out=$("$top/utilities/ovs-offload-build.sh" "$@"); then
        builddir=$(echo "$out" | sed -n 's/^BUILDDIR=//p')
        return 0
    fi
    summary+=("$(printf '%-14s build FAILED' "$name:")")
    total_fail=$((total_fail + 1))
    return 1
}

flags="TESTSUITEFLAGS=-j$jobs"

# The layering of DESIGN.md, on the sources (no build needed).
mkdir -p "$top/_build"
layering_log=$top/_build/test-layering.log
echo "ovs-offload-test: running layering (log: $layering_log)"
"$top/tests/check-layering.sh" "$top" 2>&1 | tee "$layering_log"
count layering "$layering_log" layering "${PIPESTATUS[0]}"
if build build --werror; then
    run unit "$builddir" check check-unit
    run autotest "$builddir" autotest check-autotest "$flags"
    run fuzz "$builddir" fuzz check-fuzz
    if $compat; then
        run ovs-compat "$builddir" autotest check-ovs-compat \
            "OVS_COMPAT_FLAGS=-j$jobs"
    fi
fi
if $asan && build build-asan --builddir "$top/_build-asan" --sanitizers; then
    run unit-asan "$builddir" check check-unit
    run autotest-asan "$builddir" autotest check-autotest "$flags"
fi

echo
echo "ovs-offload-test: results"
printf '  %s\n' "${summary[@]}"
echo "  skipped: $total_skip"
# CI reads the last line: exactly "N passed, N failed".
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
