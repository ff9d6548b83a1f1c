# SPDX-License-Identifier: Apache-2.0
"""A VXLAN or Geneve frame from the tunnel autotests' neighbour 1.1.2.92
(f8:bc:12:44:34:b6) to 1.1.2.88 at MAC DST, around a UDP packet for vm0,
in hex: offload-tunframe.py vxlan|geneve DST VNI [OPTS-HEX] [csum|badcsum]
[trunc]."""

import struct
import sys

from offload_packets import csum


def mac(m):
    return bytes(int(x, 16) for x in m.split(":"))


def main(argv):
    kind, dst, vni = argv[1], argv[2], int(argv[3], 0)
    rest = argv[4:]
    opts = bytes.fromhex(rest.pop(0)) if rest and rest[0] not in (
        "csum", "badcsum", "trunc") else b""
    inner_ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 8 + 10, 0, 0, 64,
                           17, 0, bytes([10, 0, 0, 9]), bytes([10, 0, 0, 1]))
    inner_ip = (inner_ip[:10] + struct.pack("!H", csum(inner_ip))
                + inner_ip[12:])
    inner = (mac("50:54:00:00:00:01") + mac("50:54:00:00:00:09")
             + b"\x08\x00" + inner_ip
             + struct.pack("!HHHH", 1000, 2000, 18, 0) + b"0123456789")
    if kind == "vxlan":
        tun = struct.pack("!II", 0x08000000, vni << 8)
        dport = 4789
    else:
        tun = struct.pack("!BBHI", len(opts) // 4, 0, 0x6558, vni << 8) + opts
        dport = 6081
    udp_len = 8 + len(tun) + len(inner)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 0, 0x4000, 64,
                     17, 0, bytes([1, 1, 2, 92]), bytes([1, 1, 2, 88]))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    udp = struct.pack("!HHHH", 12345, dport, udp_len, 0)
    if "csum" in rest or "badcsum" in rest:
        pseudo = ip[12:20] + struct.pack("!BBH", 0, 17, udp_len)
        c = csum(pseudo + udp + tun + inner) or 0xffff
        if "badcsum" in rest:
            c ^= 1
        udp = udp[:6] + struct.pack("!H", c)
    frame = mac(dst) + mac("f8:bc:12:44:34:b6") + b"\x08\x00" + ip + udp \
        + tun + inner
    if "trunc" in rest:
        frame = frame[:len(frame) - 12]
    print(frame.hex())


if __name__ == "__main__":
    main(sys.argv)
