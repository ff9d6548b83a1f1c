#! /usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Reads "ovs-appctl offload/queues --format json" on stdin.

  offload-queues-json.py assign    print the first port's queues as
                                   "Q=OWNER ..." (OWNER a VM, "flow:VM",
                                   "default" or "free")
  offload-queues-json.py reasons   print "VM:REASON ..." of that port
  offload-queues-json.py decisions print its total decision count
  offload-queues-json.py error     print its config error, or "none"
"""
import json
import sys


def main(argv):
    ports = json.load(sys.stdin)["ports"]
    if not ports:
        sys.stderr.write("offload-queues-json.py: no port\n")
        return 1
    p = ports[0]
    what = argv[1] if len(argv) > 1 else ""
    if what == "assign":
        out = []
        for q in p["queues"]:
            owner = q.get("vm", q["owner"])
            if q["owner"] == "flow":
                owner = "flow:" + owner
            out.append("%d=%s" % (q["queue"], owner))
        print(" ".join(out))
    elif what == "reasons":
        print(" ".join("%s:%s" % (v["vm"], v["reason"]) for v in p["vms"]))
    elif what == "decisions":
        print(p["decisions"])
    elif what == "error":
        print(p.get("config_error", "none"))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
