#! /usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks the tunnelled frames of sealed destinations, byte by byte.

  offload-token-wire.py NEXTHOP SRC-MAC SRC-IP REMOTE TYPE VNI INNER [TTL]

reads "ovs-pcap FILE" output (hex frames, one a line) on stdin and prints,
for each frame, "ok" if it is INNER (hex) inside the outer Ethernet
(NEXTHOP <- SRC-MAC), IPv4 or IPv6 (SRC-IP -> REMOTE, TTL, default 64,
IPv4 with DF, id 0 and a right checksum; IPv6 with a right UDP checksum),
UDP (source port in OVS's 32768-60999, destination 4789 or 6081) and
VXLAN or Geneve (TYPE, VNI, no options) headers the NIC builds, else
what differs.  The exit status is 1 if any frame differs or none was
read.
"""
import ipaddress
import struct
import sys

from offload_packets import csum


def expect(frame, nexthop, mac, src, remote, typ, vni, inner, ttl):
    v4 = remote.version == 4
    eth = nexthop + mac + (b"\x08\x00" if v4 else b"\x86\xdd")
    if frame[:14] != eth:
        return "ethernet header %s, not %s" % (frame[:14].hex(), eth.hex())
    l4 = 14 + (20 if v4 else 40)
    udp_len = len(frame) - l4
    if v4:
        ip = frame[14:34]
        want = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 0,
                           0x4000, ttl, 17, 0, src.packed, remote.packed)
        if ip[:10] + ip[12:] != want[:10] + want[12:]:
            return "IPv4 header %s, not %s" % (ip.hex(), want.hex())
        if csum(ip):
            return "bad IPv4 checksum"
    else:
        want = struct.pack("!IHBB16s16s", 0x60000000, udp_len, 17, ttl,
                           src.packed, remote.packed)
        if frame[14:54] != want:
            return "IPv6 header %s, not %s" % (frame[14:54].hex(),
                                               want.hex())
    sport, dport, ulen, ucsum = struct.unpack("!HHHH", frame[l4:l4 + 8])
    if not 32768 <= sport < 61000:
        return "UDP source port %d" % sport
    if dport != (4789 if typ == "vxlan" else 6081) or ulen != udp_len:
        return "UDP port %d or length %d" % (dport, ulen)
    if not v4:
        pseudo = (src.packed + remote.packed
                  + struct.pack("!IxxxB", udp_len, 17))
        if not ucsum or csum(pseudo + frame[l4:]):
            return "bad UDP checksum"
    elif ucsum:
        return "UDP checksum over IPv4"
    tun = frame[l4 + 8:l4 + 16]
    want = (struct.pack("!II", 0x08000000, vni << 8) if typ == "vxlan"
            else struct.pack("!HHI", 0, 0x6558, vni << 8))
    if tun != want:
        return "%s header %s, not %s" % (typ, tun.hex(), want.hex())
    if frame[l4 + 16:] != inner:
        return "inner frame %s" % frame[l4 + 16:].hex()
    return None


def main(argv):
    if len(argv) not in (8, 9):
        sys.stderr.write(__doc__)
        return 2
    nexthop = bytes.fromhex(argv[1].replace(":", ""))
    mac = bytes.fromhex(argv[2].replace(":", ""))
    src = ipaddress.ip_address(argv[3])
    remote = ipaddress.ip_address(argv[4])
    inner = bytes.fromhex(argv[7])
    ttl = int(argv[8]) if len(argv) == 9 else 64
    n = 0
    bad = False
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        n += 1
        error = expect(bytes.fromhex(line), nexthop, mac, src, remote,
                       argv[5], int(argv[6]), inner, ttl)
        print("ok" if not error else error)
        bad = bad or error is not None
    return 1 if bad or not n else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
