#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Prints one value of "ovs-appctl offload/classes --format json" (stdin)
# for an interface: offload-classes-json.py IFACE PATH, where PATH is
# dot-separated keys, a list element picked by its "name" (e.g.
# classes.syn.drops.rate-limit, syn_guard.state); "none" if the
# interface has no classes, "missing" if the path does not lead anywhere.
import json
import sys

iface, path = sys.argv[1], sys.argv[2]
ifaces = [i for i in json.load(sys.stdin)["interfaces"]
          if i["interface"] == iface]
if not ifaces:
    print("none")
    sys.exit(0)
v = ifaces[0]
for k in path.split("."):
    if isinstance(v, list):
        v = [x for x in v if x.get("name") == k]
        v = v[0] if v else None
    elif isinstance(v, dict):
        v = v.get(k)
    if v is None:
        print("missing")
        sys.exit(0)
print(json.dumps(v) if isinstance(v, (list, dict)) else v)
