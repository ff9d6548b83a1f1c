#! /usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Plays the client's side of the NIC's SYN authentication in tests.

usage: offload-syn-auth.py answer PCAP CLIENT_IP CLIENT_PORT [SEQ_DELTA]

Finds in PCAP (what the NIC sent out of the port) the SYN-ACK challenge
to CLIENT_IP:CLIENT_PORT (IPv4), checks it (IP and TCP checksums, SYN and
ACK set, no payload), and prints as hex the RST a client's TCP answers it
with: addresses and ports turned round, sequence number the challenge's
acknowledgement (plus SEQ_DELTA, to forge a wrong answer), no ACK.  Also
prints "ack N" on standard error.  Exit status 1 if no such challenge.
"""

import socket
import struct
import sys

from offload_packets import csum, read_pcap


def tcp_csum(src, dst, seg):
    return csum(src + dst + struct.pack("!BBH", 0, 6, len(seg)) + seg)


def challenge(pkts, client, port):
    """The last SYN-ACK to client:port, as (frame, l3 offset)."""
    found = None
    for f in pkts:
        l3 = 12
        while f[l3:l3 + 2] in (b"\x81\x00", b"\x88\xa8"):
            l3 += 4
        if f[l3:l3 + 2] != b"\x08\x00":
            continue
        l3 += 2
        ip = f[l3:l3 + 20]
        if len(ip) < 20 or ip[9] != 6 or ip[16:20] != client:
            continue
        tcp = f[l3 + 20:l3 + 40]
        if len(tcp) == 20 and struct.unpack("!H", tcp[2:4])[0] == port:
            found = (f, l3)
    return found


def main(argv):
    if len(argv) not in (5, 6) or argv[1] != "answer":
        sys.exit(__doc__)
    client = socket.inet_aton(argv[3])
    port = int(argv[4])
    delta = int(argv[5]) if len(argv) == 6 else 0
    c = challenge(read_pcap(argv[2]), client, port)
    if not c:
        print("no challenge to %s:%d" % (argv[3], port), file=sys.stderr)
        return 1
    f, l3 = c
    ip, tcp = f[l3:l3 + 20], f[l3 + 20:l3 + 40]
    tot_len = struct.unpack("!H", ip[2:4])[0]
    assert csum(ip) == 0, "bad IP checksum"
    assert tot_len == 40, "challenge carries %d bytes" % (tot_len - 40)
    assert tcp_csum(ip[12:16], ip[16:20], tcp) == 0, "bad TCP checksum"
    assert tcp[13] == 0x12, "flags %#x, not SYN+ACK" % tcp[13]
    ack = struct.unpack("!I", tcp[8:12])[0]
    print("ack %d" % ack, file=sys.stderr)

    seq = (ack + delta) & 0xffffffff
    rst = struct.pack("!HHIIBBHHH", port, struct.unpack("!H", tcp[0:2])[0],
                      seq, 0, 5 << 4, 0x04, 0, 0, 0)
    src, dst = ip[16:20], ip[12:16]
    rst = rst[:16] + struct.pack("!H", tcp_csum(src, dst, rst)) + rst[18:]
    rip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0x4000, 64, 6, 0,
                      src, dst)
    rip = rip[:10] + struct.pack("!H", csum(rip)) + rip[12:]
    eth = f[6:12] + f[0:6] + f[12:l3]
    print((eth + rip + rst).hex())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
