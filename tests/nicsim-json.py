#! /usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Reads "ovs-appctl nicsim/show --format json" on stdin.

  nicsim-json.py conservation       check rx = forwarded + to host + dropped
                                    on every port of every NIC; print one
                                    line per port; exit 1 if it fails or
                                    if there is no port to check
  nicsim-json.py get PORT FIELD     print a port counter, e.g.
                                    "get vf0 to_host.miss" or
                                    "get uplink0 tx_packets"; exit 1, with
                                    nothing on stdout, for an unknown port
  nicsim-json.py queues PORT        print "N_QUEUES TOTAL ALL_NONEMPTY" of a
                                    port's receive queues
  nicsim-json.py to-host PORT       print all that a port gave the host
  nicsim-json.py nic FIELD          print a NIC field, e.g. "tables.wildcard.rules"
"""
import json
import sys


def dig(obj, path):
    for part in path.split("."):
        obj = obj[int(part)] if isinstance(obj, list) else obj[part]
    return obj


def main(argv):
    nics = json.load(sys.stdin)
    if argv[1:2] == ["conservation"]:
        ok = True
        n_ports = 0
        for nic in nics:
            for port in nic["ports"]:
                host = sum(port["to_host"].values())
                drop = sum(port["dropped"].values())
                total = port["forwarded"] + host + drop
                good = total == port["rx_packets"]
                n_ports += 1
                ok = ok and good
                print("%s %s: rx %d = fwd %d + host %d + drop %d: %s"
                      % (nic["name"], port["port"], port["rx_packets"],
                         port["forwarded"], host, drop,
                         "ok" if good else "VIOLATED"))
        if not n_ports:
            # Nothing checked is not a pass.
            print("no NIC port to check: VIOLATED")
            return 1
        return 0 if ok else 1
    if argv[1:2] == ["get"] and len(argv) == 4:
        for nic in nics:
            for port in nic["ports"]:
                if port["port"] == argv[2]:
                    print(dig(port, argv[3]))
                    return 0
        # Not 0: a counter of a port that is not there is no counter, and
        # a test comparing it with 0 must not pass.
        sys.stderr.write("nicsim-json.py: no port %s on any NIC\n" % argv[2])
        return 1
    if argv[1:2] == ["queues"] and len(argv) == 3:
        for nic in nics:
            for port in nic["ports"]:
                if port["port"] == argv[2]:
                    counts = [q["packets"] for q in port["rx_queues"]]
                    print(len(counts), sum(counts),
                          all(c > 0 for c in counts))
                    return 0
        sys.stderr.write("nicsim-json.py: no port %s on any NIC\n" % argv[2])
        return 1
    if argv[1:2] == ["to-host"] and len(argv) == 3:
        for nic in nics:
            for port in nic["ports"]:
                if port["port"] == argv[2]:
                    print(sum(port["to_host"].values()))
                    return 0
        sys.stderr.write("nicsim-json.py: no port %s on any NIC\n" % argv[2])
        return 1
    if argv[1:2] == ["nic"] and len(argv) == 3:
        print(dig(nics[0], argv[2]))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
