# SPDX-License-Identifier: Apache-2.0
# Packet helpers shared by the test scripts that build frames by hand
# (imported from the scripts' own directory, which Python puts on sys.path).

import struct


def csum(data):
    """The Internet checksum (RFC 1071) of 'data'."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def read_pcap(path):
    """The frames of a pcap file (either byte order), as bytes."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    pkts, ofs = [], 24
    while ofs + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(endian + "IIII", data[ofs:ofs + 16])
        pkts.append(data[ofs + 16:ofs + 16 + caplen])
        ofs += 16 + caplen
    return pkts
