#! /usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Feeds UDP/TCP frames to a nicsim port's unix-socket medium at a steady
rate, for tests that need traffic while ovs-appctl is busy.

usage: offload-traffic.py SOCKET SECONDS PPS SPEC...
SPEC is udp:DST_PORT or tcp:DST_PORT: a frame 50:54:00:00:00:01 ->
50:54:00:00:00:02, 10.0.0.1 -> 10.0.0.2, source port 1000.  Frames are
framed as netdev-dummy streams (2-byte big-endian length, then the frame).
"""

import socket
import struct
import sys
import time

from offload_packets import csum


def frame(spec):
    proto, port = spec.split(":")
    src, dst = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    payload = b"offload-verify" * 4
    if proto == "udp":
        l4 = struct.pack("!HHHH", 1000, int(port), 8 + len(payload), 0)
        nw_proto = 17
    elif proto == "tcp":
        l4 = struct.pack("!HHIIBBHHH", 1000, int(port), 1, 0, 5 << 4,
                         0x18, 8192, 0, 0)
        nw_proto = 6
    else:
        raise SystemExit("bad spec %s" % spec)
    seg = l4 + payload
    pseudo = src + dst + struct.pack("!BBH", 0, nw_proto, len(seg))
    l4_csum = csum(pseudo + seg)
    off = 6 if proto == "udp" else 16
    seg = seg[:off] + struct.pack("!H", l4_csum) + seg[off + 2:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), 0, 0, 64,
                     nw_proto, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = bytes.fromhex("505400000002505400000001") + b"\x08\x00"
    return eth + ip + seg


def main():
    path, seconds, pps = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    frames = [frame(s) for s in sys.argv[4:]]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    for _ in range(100):
        try:
            sock.connect(path)
            break
        except OSError:
            time.sleep(0.05)
    else:
        raise SystemExit("cannot connect to %s" % path)
    end = time.time() + seconds
    i = 0
    while time.time() < end:
        f = frames[i % len(frames)]
        sock.sendall(struct.pack("!H", len(f)) + f)
        i += 1
        time.sleep(1.0 / pps)
    sock.close()
    print(i)


if __name__ == "__main__":
    main()
