#!/usr/bin/env python3
"""Hostile HTTP clients for tests/integration/abuse.sh, on loopback only.

usage: abuse_client.py MODE HOST PORT [ARG [DIR]]

Each mode prints one line that the shell test compares:
  stall SECONDS     sends half a request one byte at a time, then nothing;
                    prints "closed" when the server closes the connection
                    within SECONDS, else "open"
  trickle N         holds N connections that each send a request one byte
                    at a time, and meanwhile asks for / on a new one;
                    prints the status of that request
  flood N DIR       opens N connections that each send half a request,
                    creates DIR/ready and holds them until DIR/release
                    exists; then closes them all and prints the status of
                    a normal request
  header BYTES      one header line BYTES long; prints the status
  url BYTES         a request line with a path BYTES long; prints the status
  headers COUNT     COUNT small headers; prints the status
A status is the HTTP status code, or "closed" when the server closed the
connection without an answer.
"""
import os
import socket
import sys
import time


def connect(host, port):
    s = socket.create_connection((host, port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def status_of(s):
    """The status code of the answer on s, or "closed"."""
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, BrokenPipeError, socket.timeout):
        pass
    if not data.startswith(b"HTTP/"):
        return "closed"
    return data.split(b" ", 2)[1].decode()


def send(s, data):
    """Sends data; False when the server has already closed the connection."""
    try:
        s.sendall(data)
        return True
    except (ConnectionResetError, BrokenPipeError):
        return False


def request(host, port, path="/", extra=b""):
    s = connect(host, port)
    send(s, b"GET " + path.encode() + b" HTTP/1.1\r\nHost: test\r\n" + extra +
         b"Connection: close\r\n\r\n")
    st = status_of(s)
    s.close()
    return st


def closed_by_server(s, deadline):
    """Waits until deadline for the server to close s."""
    while time.monotonic() < deadline:
        s.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            if not s.recv(4096):
                return True
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True
    return False


def stall(host, port, seconds):
    s = connect(host, port)
    for b in b"GET / HTTP/1.1\r\nHost: te":
        if not send(s, bytes([b])):
            break
        time.sleep(0.02)
    print("closed" if closed_by_server(s, time.monotonic() + seconds) else "open")


def trickle(host, port, n):
    conns = [connect(host, port) for _ in range(n)]
    line = b"GET / HTTP/1.1\r\nX-Slow: " + b"a" * 200
    # Every connection gets its bytes one at a time, interleaved, so each
    # stays busy but none completes; the normal request comes in between.
    for i in range(20):
        for s in conns:
            send(s, line[i:i + 1])
        time.sleep(0.01)
    st = request(host, port)
    for i in range(20, 40):
        for s in conns:
            send(s, line[i:i + 1])
    for s in conns:
        s.close()
    print(st)


def flood(host, port, n, folder):
    conns = []
    for _ in range(n):
        s = connect(host, port)
        send(s, b"GET / HTTP/1.1\r\nHo")
        conns.append(s)
    open(os.path.join(folder, "ready"), "w").close()
    while not os.path.exists(os.path.join(folder, "release")):
        time.sleep(0.05)
    for s in conns:
        s.close()
    print(request(host, port))


def main():
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    arg = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    folder = sys.argv[5] if len(sys.argv) > 5 else "."
    if mode == "stall":
        stall(host, port, arg)
    elif mode == "trickle":
        trickle(host, port, arg)
    elif mode == "flood":
        flood(host, port, arg, folder)
    elif mode == "header":
        print(request(host, port, extra=b"X-Big: " + b"a" * arg + b"\r\n"))
    elif mode == "url":
        print(request(host, port, path="/" + "a" * arg))
    elif mode == "headers":
        print(request(host, port, extra=b"".join(b"X-H%d: v\r\n" % i for i in range(arg))))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
