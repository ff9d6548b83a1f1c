#! /usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Helpers of tests/placement.at.

  placement-ctl.py get FIELD       print a field of the first NIC of
                                   "ovs-appctl offload/placement --format
                                   json" on stdin, e.g. "fallbacks.gap"
  placement-ctl.py field FILE KEY  print KEY of the JSON object in FILE
  placement-ctl.py malformed PATH  send malformed control messages to the
                                   control socket PATH, print the refusal
                                   reason of each reply
"""
import array
import json
import os
import socket
import struct
import sys

MAGIC = 0x4F444450
HDR = struct.Struct("=IHHII")
REPLY = struct.Struct("=IHHII iIII64s")


def dig(obj, path):
    for part in path.split("."):
        obj = obj[int(part)] if isinstance(obj, list) else obj[part]
    return obj


def register(family=4, vf=0, flags=0, local=b"\x0a\x00\x00\x01",
             xid=7, length=None):
    body = struct.pack("=IBBH16s16sHHI", vf, family, flags, 0,
                       local.ljust(16, b"\0"),
                       b"\x0a\x00\x00\x02".ljust(16, b"\0"),
                       socket.htons(40000), socket.htons(5001), 0)
    total = HDR.size + len(body)
    return HDR.pack(MAGIC, 1, 1, total if length is None else length,
                    xid) + body


def exchange(path, msg, fds=()):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    anc = []
    if fds:
        anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                array.array("i", fds))]
    s.sendmsg([msg], anc)
    rep = s.recv(4096)
    s.close()
    if len(rep) != REPLY.size:
        return "short reply"
    f = REPLY.unpack(rep)
    return "%d %s" % (f[5], f[9].split(b"\0")[0].decode())


def malformed(path):
    cases = [
        ("garbage", b"hello, NIC", ()),
        ("truncated header", struct.pack("=I", MAGIC), ()),
        ("bad magic", register()[:0] + struct.pack("=I", 0x12345678)
         + register()[4:], ()),
        ("length lies", register(length=20), ()),
        ("bad family", register(family=5), ()),
        ("no memfd", register(), ()),
        ("fd of a pipe", register(), (os.pipe()[0],)),
    ]
    for name, msg, fds in cases:
        print("%s: %s" % (name, exchange(path, msg, fds)))


def main(argv):
    if argv[1] == "get":
        print(dig(json.load(sys.stdin)["nics"][0], argv[2]))
    elif argv[1] == "field":
        with open(argv[2]) as f:
            print(dig(json.load(f), argv[3]))
    elif argv[1] == "malformed":
        malformed(argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
