# SPDX-License-Identifier: Apache-2.0
"""Random OpenFlow tables and random (also malformed) frames for the
differential autotest, and the comparison of what the NIC ports sent with
offload off and on.

  offload-differential.py flows SEED            OpenFlow flows, one a line
  offload-differential.py frames SEED N         N hex frames, one a line
  offload-differential.py compare SPLIT FRAMES PCAP...
      SPLIT: a file with one "PORT COUNT" line per pcap: the packets each
      port sent in the first (offload off) run; the rest of each pcap is
      the second run.  Compares per-port multisets of frames and prints
      every difference with the input frame it came from (frames carry
      their index in their last 4 bytes).  A frame that ovs-vswitchd
      itself sent differently in its rounds with offload off (two of its
      megaflows hold it) may get any of those outputs with offload on.
  offload-differential.py count PCAP            frames in a pcap
  offload-differential.py send IFACE FRAMES SENTINEL
      Sends every frame of FRAMES (that Linux takes: at least an Ethernet
      header), then SENTINEL, out of Linux interface IFACE (AF_PACKET).
  offload-differential.py capture DIR SENTINEL-IFACE IFACE:PCAP...
      Until killed, appends what arrives on each IFACE to DIR/PCAP and
      counts the frames arriving on SENTINEL-IFACE in DIR/sentinels,
      written only after every other socket has been drained, so that a
      count of N says that all frames sent before the N-th sentinel are in
      the pcaps."""


import collections
import os
import random
import select
import socket
import struct
import sys

from offload_packets import csum, read_pcap

SENTINEL_SRC = "02:00:00:00:00:ee"
MACS = ["50:54:00:00:00:0%d" % i for i in (1, 2, 3)]
IP4 = ["10.0.0.%d" % i for i in (1, 2, 3)]
IP6 = ["fd00::%d" % i for i in (1, 2, 3)]


def mac_bytes(m):
    return bytes(int(x, 16) for x in m.split(":"))


def random_match(r):
    m = ["in_port=%d" % r.choice([2, 2, 2, 2, 1, 3])]
    kind = r.choice(["ip", "ip", "tcp", "udp", "icmp", "ipv6", "tcp6",
                     "udp6", "icmp6", "arp", "any", "any"])
    if kind != "any":
        m.append(kind)
    if r.random() < 0.3:
        m.append("dl_src=%s" % r.choice(MACS))
    if r.random() < 0.3:
        m.append("dl_dst=%s/ff:ff:ff:ff:ff:f0" % r.choice(MACS)
                 if r.random() < 0.3 else "dl_dst=%s" % r.choice(MACS))
    v = r.random()
    if v < 0.25:
        m.append("dl_vlan=%d" % r.choice([10, 11, 12]))
    elif v < 0.35:
        m.append("vlan_tci=0x0000")
    elif v < 0.45:
        m.append("vlan_tci=0x1000/0x1000")
    if kind in ("ip", "tcp", "udp", "icmp"):
        if r.random() < 0.4:
            m.append("nw_src=%s/%d" % (r.choice(IP4), r.choice([24, 32])))
        if r.random() < 0.3:
            m.append("nw_dst=%s" % r.choice(IP4))
        if r.random() < 0.2:
            m.append("nw_frag=%s" % r.choice(["no", "first", "later",
                                              "not_later"]))
        if r.random() < 0.15:
            m.append("nw_ttl=64")
    if kind in ("ipv6", "tcp6", "udp6", "icmp6"):
        if r.random() < 0.4:
            m.append("ipv6_src=%s" % r.choice(IP6))
        if r.random() < 0.2:
            m.append("nw_frag=%s" % r.choice(["no", "later"]))
    if kind in ("tcp", "udp", "tcp6", "udp6"):
        if r.random() < 0.5:
            m.append("tp_dst=%d" % r.choice([53, 80, 1000]))
        if r.random() < 0.2:
            m.append("tp_src=%d" % r.choice([53, 80, 1000]))
    if kind in ("tcp", "tcp6") and r.random() < 0.3 \
            and not any(x.startswith("nw_frag=later") for x in m):
        m.append("tcp_flags=%s" % r.choice(["+syn", "+syn-ack", "-syn"]))
    if kind == "icmp" and r.random() < 0.5:
        m.append("icmp_type=%d" % r.choice([8, 0, 3]))
    if kind == "icmp6" and r.random() < 0.5:
        m.append("icmpv6_type=%d" % r.choice([128, 129, 135]))
    if kind == "arp":
        if r.random() < 0.5:
            m.append("arp_op=%d" % r.choice([1, 2]))
        if r.random() < 0.4:
            m.append("arp_tpa=%s" % r.choice(IP4))
    # Conntrack fields as OVN's first pass matches them: at 0 for every
    # frame from the NIC (untracked), so the NIC may take such megaflows;
    # "+trk" and a non-zero ct_mark never match such a frame.
    if r.random() < 0.3:
        m.append("ct_state=%s" % r.choice(["-trk", "-trk", "-new-est",
                                           "+trk", "-trk-inv"]))
        if r.random() < 0.5:
            m.append("ct_mark=%s" % r.choice(["0/0x1", "0", "0x1/0x1"]))
        if r.random() < 0.3:
            m.append("ct_zone=%d" % r.choice([0, 0, 5]))
        if r.random() < 0.15:
            m.append("ct_label=0")
    return kind, m


def random_actions(r, kind, tagged):
    acts = []
    for _ in range(r.choice([1, 1, 2, 3])):
        a = r.random()
        # L3 rewrites only where the rule pins the protocol: for "ip" and
        # "ipv6" rules OVS 3.1 builds megaflows wider than their own
        # translation (commit_set_nw_action() decides on nw_proto without
        # un-wildcarding it), and ovs-vswitchd's output then depends on
        # which of two overlapping megaflows it finds first, which is no
        # oracle for the NIC (see offload_match_l3()).
        ip4 = kind in ("tcp", "udp", "icmp")
        ip6 = kind in ("tcp6", "udp6", "icmp6")
        if a < 0.1:
            acts.append("mod_vlan_vid:%d" % r.choice([20, 21]))
        elif a < 0.17 and tagged:
            # OpenFlow 1.3 wants a tag in the match for pop_vlan.
            acts.append("pop_vlan")
        elif a < 0.22:
            acts.append("push_vlan:0x88a8,set_field:%d->vlan_vid"
                        % (0x1000 | r.choice([30, 31])))
        elif a < 0.3:
            acts.append("mod_dl_src:02:00:00:00:01:%02x"
                        % r.randrange(256))
        elif a < 0.38 and ip4:
            acts.append("mod_nw_%s:%s" % (r.choice(["src", "dst"]),
                                          r.choice(IP4)))
        elif a < 0.42 and ip4:
            acts.append("mod_nw_ttl:%d" % r.choice([1, 63]))
        elif a < 0.46 and ip6:
            acts.append("set_field:%s->ipv6_%s"
                        % (r.choice(IP6), r.choice(["src", "dst"])))
        elif a < 0.52 and kind in ("tcp", "udp", "tcp6", "udp6"):
            acts.append("mod_tp_%s:%d" % (r.choice(["src", "dst"]),
                                          r.choice([2000, 2001])))
        elif a < 0.55:
            acts.append("output:LOCAL")     # Not on the NIC.
        elif a < 0.58:
            acts.append("mod_nw_tos:4" if ip4 else "output:LOCAL")
        acts.append("output:%d" % r.choice([1, 2, 3]))
    if r.random() < 0.12:
        return ["drop"]
    return acts


def flows(seed):
    r = random.Random("flows-%s" % seed)
    out = ["priority=65535,in_port=2,dl_src=%s,actions=output:LOCAL,"
           "output:4" % SENTINEL_SRC]
    for _ in range(40):
        kind, m = random_match(r)
        prio = r.randrange(1, 1000)
        tagged = any(x.startswith("dl_vlan=") or x.endswith("0x1000/0x1000")
                     for x in m)
        out.append("priority=%d,%s,actions=%s"
                   % (prio, ",".join(m),
                      ",".join(random_actions(r, kind, tagged))))
    return out


def l4(r, proto):
    ports = [53, 80, 1000, 4789, 0]
    if proto == 6:
        doff = r.choice([5, 5, 5, 5, 6, 4, 0, 15])
        flags = r.choice([0x002, 0x012, 0x010, 0x011, r.randrange(0x1000)])
        h = struct.pack("!HHIIHHHH", r.choice(ports), r.choice(ports),
                        r.randrange(1 << 32), 0, (doff << 12) | flags,
                        1024, r.randrange(65536), 0)
        if doff == 6:
            h += b"\x01\x01\x01\x01"
        return h
    if proto == 17:
        return struct.pack("!HHHH", r.choice(ports), r.choice(ports), 16,
                           r.choice([0, r.randrange(65536)]))
    if proto in (1, 58):
        h = struct.pack("!BBH", r.choice([8, 0, 128, 135, 3]),
                        r.choice([0, 0, 1]), r.randrange(65536))
        return h + (b"\0\0\0\1" if r.random() < 0.8 else b"")
    return bytes(r.randrange(256) for _ in range(r.randrange(12)))


def ipv4(r):
    proto = r.choice([6, 6, 17, 17, 1, 58, 132, 47])
    ihl = r.choice([5] * 9 + [6, 4, 15])
    frag = r.choice([0, 0, 0, 0x4000, 0x2000, 0x0010, 0x2010])
    body = l4(r, proto) + bytes(r.randrange(256)
                                 for _ in range(r.randrange(20)))
    opts = b"\x01" * max(0, ihl - 5) * 4
    tot = 20 + len(opts) + len(body)
    if r.random() < 0.08:
        tot = r.randrange(tot + 30)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, r.choice([0, 0, 4]), tot,
                      r.randrange(65536), frag, r.choice([64, 64, 1, 2]),
                      proto, 0, mac_bytes_ip4(r.choice(IP4)),
                      mac_bytes_ip4(r.choice(IP4))) + opts
    c = csum(hdr)
    hdr = hdr[:10] + struct.pack("!H", c) + hdr[12:]
    return hdr + body


def mac_bytes_ip4(ip):
    return bytes(int(x) for x in ip.split("."))


def ip6_bytes(ip):
    last = int(ip.split("::")[1])
    return b"\xfd" + b"\0" * 14 + bytes([last])


def ipv6(r):
    proto = r.choice([6, 17, 58, 58, 1, 47])
    exts = r.choice([[], [], [], [0], [44], [43], [60, 44]])
    chain = exts + [proto]
    ext_bytes = b""
    for i, e in enumerate(exts):
        nxt = chain[i + 1]
        if e == 44:
            ext_bytes += struct.pack("!BBHI", nxt, 0,
                                     r.choice([1, 0, 6, 8, 9]), 7)
        elif e == 43:
            ext_bytes += struct.pack("!BBBB4s", nxt, 0, 0, r.choice([0, 1]),
                                     b"\0" * 4)
        else:
            ext_bytes += struct.pack("!BB6s", nxt, 0, b"\1\4\0\0\0\0")
    body = ext_bytes + l4(r, proto) + bytes(
        r.randrange(256) for _ in range(r.randrange(16)))
    plen = len(body) if r.random() < 0.92 else r.randrange(len(body) + 20)
    return struct.pack("!IHBB16s16s", 0x60000000, plen, chain[0],
                       r.choice([64, 1]), ip6_bytes(r.choice(IP6)),
                       ip6_bytes(r.choice(IP6))) + body


def arp(r):
    return struct.pack("!HHBBH6s4s6s4s", r.choice([1, 1, 1, 6]),
                       r.choice([0x0800, 0x0800, 0x86dd]),
                       r.choice([6, 6, 8]), r.choice([4, 4, 16]),
                       r.choice([1, 2, 1, 2, 0x101, 3]),
                       mac_bytes(r.choice(MACS)),
                       mac_bytes_ip4(r.choice(IP4)),
                       mac_bytes(r.choice(MACS)),
                       mac_bytes_ip4(r.choice(IP4)))


def frame(r, index):
    f = mac_bytes(r.choice(MACS)) + mac_bytes(r.choice(MACS))
    nv = r.choice([0, 0, 0, 1, 1, 2, 3])
    for _ in range(nv):
        f += struct.pack("!HH", r.choice([0x8100, 0x8100, 0x88a8]),
                         (r.randrange(8) << 13) | r.choice([10, 11, 12, 99]))
    t = r.choice(["ip"] * 4 + ["ipv6"] * 3 + ["arp", "rarp", "other",
                                              "802.3"])
    if t == "ip":
        f += b"\x08\x00" + ipv4(r)
    elif t == "ipv6":
        f += b"\x86\xdd" + ipv6(r)
    elif t in ("arp", "rarp"):
        f += (b"\x08\x06" if t == "arp" else b"\x80\x35") + arp(r)
    elif t == "802.3":
        f += b"\x00\x30\xaa\xaa\x03\x00\x00\x00\x08\x00" + ipv4(r)
    else:
        f += b"\x88\xb5" + bytes(r.randrange(256) for _ in range(20))
    if r.random() < 0.15:
        f = f[:r.randrange(len(f) + 1)]
    elif r.random() < 0.1:
        i = r.randrange(min(len(f), 60))
        f = f[:i] + bytes([f[i] ^ (1 << r.randrange(8))]) + f[i + 1:]
    return f + struct.pack("!I", index)


def frames(seed, n):
    r = random.Random("frames-%s" % seed)
    return [frame(r, i).hex() for i in range(n)]


def frame_index(pkt):
    return struct.unpack("!I", pkt[-4:])[0] if len(pkt) >= 4 else -1


def compare(split_file, frames_file, pcaps):
    """Per port, the multiset of frames sent with offload off must be the
    one sent with offload on.  Except where ovs-vswitchd itself gave one
    input frame different outputs in its rounds with offload off: two of
    its megaflows hold the frame and dpif-netdev runs whichever its
    classifier finds first, so there is no one output to hold the NIC
    path to; it must then give that frame, in the same number, only
    outputs that ovs-vswitchd gave it."""
    split = {}
    for line in open(split_file):
        port, count = line.split()
        split[port] = int(count)
    inputs = [bytes.fromhex(x.strip()) for x in open(frames_file)]
    n_compared = n_diff = 0
    diffs = []
    by_frame = collections.defaultdict(lambda: (collections.Counter(),
                                                collections.Counter()))
    for path in pcaps:
        port = path.split("/")[-1]
        pkts = read_pcap(path)
        k = split.get(port, 0)
        off = collections.Counter(pkts[:k])
        on = collections.Counter(pkts[k:])
        n_compared += len(pkts) - k
        for p in pkts[:k]:
            by_frame[frame_index(p)][0][(port, p)] += 1
        for p in pkts[k:]:
            by_frame[frame_index(p)][1][(port, p)] += 1
        diffs += [(port, p, "only with offload off")
                  for p in (off - on).elements()]
        diffs += [(port, p, "only with offload on")
                  for p in (on - off).elements()]

    def ovs_varied(idx):
        off, on = by_frame[idx]
        return (idx >= 0 and len(off) > 1 and set(on) <= set(off)
                and sum(on.values()) == sum(off.values()))

    n_varied = 0
    for port, pkt, label in diffs:
        idx = frame_index(pkt)
        if ovs_varied(idx):
            n_varied += 1
            continue
        n_diff += 1
        print("DIFFERENCE on %s (%s): %s" % (port, label, pkt.hex()))
        if 0 <= idx < len(inputs):
            print("  input frame %d: %s" % (idx, inputs[idx].hex()))
    for idx in sorted(i for i in by_frame if ovs_varied(i)
                      and by_frame[i][0] != by_frame[i][1]):
        print("ovs-vswitchd gave input frame %d different outputs with "
              "offload off; with offload on it got %d of them"
              % (idx, sum(by_frame[idx][1].values())))
    print("compared %d frames on %d ports, %d differences"
          % (n_compared, len(pcaps), n_diff))
    return 1 if n_diff or not n_compared else 0


ETH_P_ALL = 3
PACKET_OUTGOING = 4


def send(iface, frames_file, sentinel):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    n = 0
    for line in open(frames_file):
        f = bytes.fromhex(line.strip())
        if len(f) >= 14:
            s.send(f)
            n += 1
    s.send(bytes.fromhex(sentinel))
    print("sent %d frames and a sentinel" % n)
    return 0


def capture(d, sentinel_iface, specs):
    socks = {}
    for spec in [sentinel_iface + ":"] + specs:
        iface, pcap = spec.split(":")
        # Protocol 0 until bound: a socket opened for ETH_P_ALL would take
        # every interface's frames until bind() narrows it.
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        s.bind((iface, ETH_P_ALL))
        out = None
        if pcap:
            out = open(os.path.join(d, pcap), "wb")
            out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0,
                                  65535, 1))
            out.flush()
        socks[s] = (iface, out)
    sentinels = 0
    open(os.path.join(d, "sentinels"), "w").write("0\n")

    def drain(s, out):
        got = 0
        while True:
            try:
                data, addr = s.recvfrom(65535, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return got
            if addr[2] == PACKET_OUTGOING:
                continue
            got += 1
            if out:
                out.write(struct.pack("<IIII", 0, 0, len(data), len(data)))
                out.write(data)
                out.flush()

    while True:
        ready, _, _ = select.select(list(socks), [], [])
        for s in ready:
            iface, out = socks[s]
            if iface != sentinel_iface:
                drain(s, out)
                continue
            n = drain(s, None)
            if n:
                for o, (i, oo) in socks.items():
                    if i != sentinel_iface:
                        drain(o, oo)
                sentinels += n
                with open(os.path.join(d, "sentinels.tmp"), "w") as f:
                    f.write("%d\n" % sentinels)
                os.rename(os.path.join(d, "sentinels.tmp"),
                          os.path.join(d, "sentinels"))


def main(argv):
    if len(argv) >= 3 and argv[1] == "flows":
        print("\n".join(flows(argv[2])))
    elif len(argv) >= 4 and argv[1] == "frames":
        print("\n".join(frames(argv[2], int(argv[3]))))
    elif len(argv) >= 5 and argv[1] == "compare":
        return compare(argv[2], argv[3], argv[4:])
    elif len(argv) == 3 and argv[1] == "count":
        print(len(read_pcap(argv[2])))
    elif len(argv) == 5 and argv[1] == "send":
        return send(argv[2], argv[3], argv[4])
    elif len(argv) >= 5 and argv[1] == "capture":
        return capture(argv[2], argv[3], argv[4:])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
