#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Prints one value of the JSON document on stdin: json-get.py KEY|INDEX...
# (e.g. "nics 0 state").  Strings print bare, everything else as JSON; a
# missing member fails with status 1.
import json
import sys

v = json.load(sys.stdin)
try:
    for k in sys.argv[1:]:
        v = v[int(k)] if isinstance(v, list) else v[k]
except (KeyError, IndexError, ValueError, TypeError):
    sys.exit("json-get: no %s" % " ".join(sys.argv[1:]))
print(v if isinstance(v, str) else json.dumps(v, sort_keys=True))
