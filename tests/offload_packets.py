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
