#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# A TCP relay for the channel autotests: forwards LISTEN-PORT to
# TARGET-PORT on 127.0.0.1 and, once per SIGUSR1, flips one bit of the next
# byte it forwards from client to server (a man in the middle tampering with
# the SSL stream).  Prints its port to PORTFILE and a line per event to
# stdout.
import selectors
import signal
import socket
import sys

target = int(sys.argv[1])
portfile = sys.argv[2]
flips_wanted = 0


def on_usr1(signum, frame):
    global flips_wanted
    flips_wanted += 1


signal.signal(signal.SIGUSR1, on_usr1)
lsock = socket.socket()
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind(("127.0.0.1", 0))
lsock.listen(16)
with open(portfile + ".tmp", "w") as f:
    f.write("%d\n" % lsock.getsockname()[1])
import os
os.rename(portfile + ".tmp", portfile)

sel = selectors.DefaultSelector()
sel.register(lsock, selectors.EVENT_READ, None)
peer = {}


def close(s):
    for x in (s, peer.get(s)):
        if x is not None and x in peer:
            sel.unregister(x)
            x.close()
            del peer[x]


while True:
    try:
        events = sel.select()
    except InterruptedError:
        continue
    for key, _ in events:
        s = key.fileobj
        if s is lsock:
            c, _ = lsock.accept()
            u = socket.create_connection(("127.0.0.1", target))
            peer[c], peer[u] = u, c
            sel.register(c, selectors.EVENT_READ, "up")
            sel.register(u, selectors.EVENT_READ, "down")
            print("connection", flush=True)
            continue
        if s not in peer:
            continue
        try:
            data = s.recv(65536)
        except OSError:
            data = b""
        if not data:
            close(s)
            continue
        if key.data == "up" and flips_wanted:
            flips_wanted -= 1
            data = bytes([data[0] ^ 0x01]) + data[1:]
            print("flipped", flush=True)
        try:
            peer[s].sendall(data)
        except OSError:
            close(s)
