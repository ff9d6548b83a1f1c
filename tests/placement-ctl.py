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
  placement-ctl.py limits PATH     hand buffers over for the host and
                                   register one of its connections until
                                   the port's limits refuse, print each
                                   reply
  placement-ctl.py buffers PATH    hand a buffer over, attach connections
                                   of the host to it (and try another
                                   owner's), print each reply and what
                                   nic0 holds meanwhile
"""
import array
import fcntl
import json
import mmap
import os
import socket
import struct
import subprocess
import sys

MAGIC = 0x4F444450
HDR = struct.Struct("=IHHII")
REPLY = struct.Struct("=IHHII iIII64s")


def dig(obj, path):
    for part in path.split("."):
        obj = obj[int(part)] if isinstance(obj, list) else obj[part]
    return obj


T_REGISTER, T_BUFFER, T_ATTACH = 1, 4, 5
HOST = 0xFFFFFFFF


def register(family=4, vf=0, flags=0, local=b"\x0a\x00\x00\x01",
             xid=7, length=None, mtype=T_REGISTER, buffer=None,
             local_port=40000):
    body = struct.pack("=IBBH16s16sHHI", vf, family, flags, 0,
                       local.ljust(16, b"\0"),
                       b"\x0a\x00\x00\x02".ljust(16, b"\0"),
                       socket.htons(local_port), socket.htons(5001), 0)
    if buffer is not None:
        body += struct.pack("=II", buffer, 0)
    total = HDR.size + len(body)
    return HDR.pack(MAGIC, 1, mtype, total if length is None else length,
                    xid) + body


def buffer_msg(vf=HOST, xid=8):
    return HDR.pack(MAGIC, 1, T_BUFFER, HDR.size + 8, xid) + struct.pack(
        "=II", vf, 0)


def make_memfd(data_len=65536):
    """A sealed memfd with a valid placement header, as the library makes
    it."""
    fd = os.memfd_create("placement-ctl", os.MFD_ALLOW_SEALING)
    os.ftruncate(fd, 4096 + data_len)
    fcntl.fcntl(fd, 1033, 2)            # F_ADD_SEALS, F_SEAL_SHRINK
    with mmap.mmap(fd, 4096) as m:
        m[0:24] = struct.pack("=QIIQ", 0x4F44445050534D31, 1, 4096,
                              data_len)
    return fd


def request(s, msg, fds=()):
    """Sends 'msg' on connected socket 's'; returns the reply's errno,
    reason and id."""
    anc = []
    if fds:
        anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                array.array("i", fds))]
    s.sendmsg([msg], anc)
    rep = s.recv(4096)
    if len(rep) != REPLY.size:
        return None, "short reply", 0
    f = REPLY.unpack(rep)
    return f[5], f[9].split(b"\0")[0].decode(), f[7]


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    return s


def exchange(path, msg, fds=()):
    s = connect(path)
    error, reason, _ = request(s, msg, fds)
    s.close()
    return "%s %s" % (error, reason)


def buffers(path):
    def show(name, reply):
        print("%s: %s %s" % (name, reply[0], reply[1]))
        return reply[2]

    print("buffer without memfd: %s" % exchange(path, buffer_msg()))
    memfd = make_memfd()
    s = connect(path)
    b = show("buffer", request(s, buffer_msg(), (memfd,)))
    os.close(memfd)
    attach = lambda port, buf=b: register(
        vf=HOST, mtype=T_ATTACH, buffer=buf, local_port=port)
    show("attach to no such buffer", request(s, attach(40000, b + 100)))
    show("attach with an fd", request(s, attach(40000), (os.pipe()[0],)))
    first = show("attach", request(s, attach(40000)))
    show("attach a second connection", request(s, attach(40001)))
    other = connect(path)
    show("attach from another owner", request(other, attach(40001)))
    other.close()
    unreg = HDR.pack(MAGIC, 1, 3, HDR.size + 8, 9) + struct.pack(
        "=II", first, 0)
    show("unregister", request(s, unreg))
    show("attach again", request(s, attach(40001)))
    # What the NIC holds while the control connection is open.
    st = json.loads(subprocess.run(
        ["ovs-appctl", "offload/placement", "--format", "json", "nic0"],
        check=True, stdout=subprocess.PIPE).stdout)["nics"][0]
    print("held: %d buffer(s) of %d bytes, %d entries" % (
        st["buffers"], st["buffer_bytes"], st["entries"]))
    s.close()


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


def limits(path):
    s = connect(path)
    for name, size, msg in [
            ("buffer of 65536", 65536, buffer_msg()),
            ("buffer of 65536", 65536, buffer_msg()),
            ("buffer of 4096", 4096, buffer_msg()),
            ("buffer of 4096", 4096, buffer_msg()),
            ("connection of 4096", 4096, register(vf=HOST))]:
        memfd = make_memfd(size)
        error, reason, _ = request(s, msg, (memfd,))
        os.close(memfd)
        print("%s: %s %s" % (name, error, reason))
    s.close()


def main(argv):
    if argv[1] == "get":
        print(dig(json.load(sys.stdin)["nics"][0], argv[2]))
    elif argv[1] == "field":
        with open(argv[2]) as f:
            print(dig(json.load(f), argv[3]))
    elif argv[1] == "malformed":
        malformed(argv[2])
    elif argv[1] == "buffers":
        buffers(argv[2])
    elif argv[1] == "limits":
        limits(argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
