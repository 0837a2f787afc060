#!/usr/bin/env python3
"""The host's end of tests/e2e/net.sh: a TCP server for one guest's transfers.

    net_peer.py ADDR PORT SIZE BULK OUTFILE

Serves three connections, in order:
  1. exchange: reads SIZE bytes, sends SIZE random bytes back, closes;
  2. sink: reads BULK bytes (guest to host), closes;
  3. source: sends BULK zero bytes (host to guest), closes.
Writes "recv=SHA sent=SHA" and the bulk byte counts to OUTFILE.
"""
import hashlib
import os
import socket
import sys


def read_exact(conn, n):
    h = hashlib.sha256()
    got = 0
    while got < n:
        b = conn.recv(min(1 << 20, n - got))
        if not b:
            break
        h.update(b)
        got += len(b)
    return got, h.hexdigest()


def main():
    addr, port, size, bulk, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
        int(sys.argv[4]), sys.argv[5]
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(1)
    srv.settimeout(300)
    with open(out + ".tmp", "w") as f:
        conn, _ = srv.accept()
        got, recv_sha = read_exact(conn, size)
        payload = os.urandom(size)
        conn.sendall(payload)
        conn.close()
        f.write("recv_bytes=%d recv=%s sent=%s\n" % (got, recv_sha,
                                                   hashlib.sha256(payload).hexdigest()))
        f.flush()
        conn, _ = srv.accept()
        got, _ = read_exact(conn, bulk)
        conn.close()
        f.write("sink_bytes=%d\n" % got)
        conn, _ = srv.accept()
        chunk = bytes(1 << 20)
        for _ in range(bulk >> 20):
            conn.sendall(chunk)
        conn.close()
        f.write("source_bytes=%d\n" % bulk)
    os.rename(out + ".tmp", out)


if __name__ == "__main__":
    main()
