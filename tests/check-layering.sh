#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# check-layering.sh -- the layering of DESIGN.md, checked on the sources:
# nothing above the NIC interface knows which backend it drives.
#
# Usage: check-layering.sh [SRCDIR]
#
# Prints one "layering: RULE: ok|FAILED" line per rule, with the offending
# lines after a failure; exit status 1 if any rule failed.

top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 2
status=0

# check NAME PATTERN FILE...: no line of the files matches PATTERN.
check() {
    local name=$1 pattern=$2 hits
    shift 2
    hits=$(grep -nE "$pattern" "$@" 2>/dev/null)
    if [ -n "$hits" ]; then
        echo "layering: $name: FAILED"
        echo "$hits" | sed 's/^/    /'
        status=1
    else
        echo "layering: $name: ok"
    fi
}

backend_headers='#include "lib/(nicsim|nic-media|nic-medium-[a-z-]*|nic-xdp[a-z-]*|nic-provider)\.h"'
engine=$(ls lib/offload-*.[ch])
glue=$(ls datapath-offload/*.[ch])
# The registration and each backend's own unixctl file may name it.
daemon=$(ls vswitchd-ext/*.[ch] | grep -vE 'offload-providers\.c|nicsim-unixctl\.[ch]|nic-xdp-unixctl\.[ch]')

check "engine includes no backend header" "$backend_headers" $engine
check "OVS glue includes no backend header" "$backend_headers" $glue
check "daemon includes no backend header" "$backend_headers" $daemon
check "only lib/nic.c calls NIC class members" '->class->' \
      $engine $glue $daemon
check "the NIC model does not reach up" \
      '#include "(datapath-offload|vswitchd-ext)/' lib/*.[ch]
exit $status
